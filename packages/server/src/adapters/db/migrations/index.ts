import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-deployments.js';
import * as m0003 from './0003-engine-names.js';
import * as m0004 from './0004-reconcile-busy-services.js';
import * as m0005 from './0005-deployment-credentials.js';
import * as m0006 from './0006-access-control.js';
import * as m0008 from './0008-repository-sync.js';
import * as m0009 from './0009-environment-accounts.js';
import * as m0010 from './0010-rollouts.js';
import * as m0012 from './0012-list-indexes.js';
import * as m0013 from './0013-events-and-drift.js';
import * as m0015 from './0015-replicas.js';
import * as m0019 from './0019-instance-list-indexes.js';
import * as m0021 from './0021-rollout-event-template-type.js';
import * as m0022 from './0022-event-targets-and-pruning.js';
import * as m0023 from './0023-rollout-wakeups.js';
import * as m0025 from './0025-drift-acceptances.js';

/** Every migration, in order. Names sort lexically; never rename or edit a shipped one. */
export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-deployments': m0002,
  '0003-engine-names': m0003,
  '0004-reconcile-busy-services': m0004,
  '0005-deployment-credentials': m0005,
  '0006-access-control': m0006,
  '0008-repository-sync': m0008,
  '0009-environment-accounts': m0009,
  '0010-rollouts': m0010,
  '0012-list-indexes': m0012,
  '0013-events-and-drift': m0013,
  '0015-replicas': m0015,
  '0019-instance-list-indexes': m0019,
  '0021-rollout-event-template-type': m0021,
  '0022-event-targets-and-pruning': m0022,
  '0023-rollout-wakeups': m0023,
  '0025-drift-acceptances': m0025,
};
