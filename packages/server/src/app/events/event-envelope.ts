import { createHmac } from 'node:crypto';
import type { StoredEvent } from '../../ports/event-store.js';

/** Every detail type an event can have: Proton's own, plus Nucleon's deployments and rollouts. */
export const EVENT_DETAIL_TYPES = [
  'AWS Proton Environment Template Version Status Change',
  'AWS Proton Service Template Version Status Change',
  'AWS Proton Environment Status Change',
  'AWS Proton Service Status Change',
  'AWS Proton Service Instance Status Change',
  'AWS Proton Service Pipeline Status Change',
  'AWS Proton Environment Account Connection Status Change',
  'AWS Proton Component Status Change',
  'Nucleon Deployment Status Change',
  'Nucleon Rollout Status Change',
] as const;

/** The headers of a webhook delivery (documented in the README, "Events"). */
export const SIGNATURE_HEADER = 'x-nucleon-signature';
export const TIMESTAMP_HEADER = 'x-nucleon-timestamp';
export const EVENT_ID_HEADER = 'x-nucleon-event-id';

/** An EventBridge-shaped event, as Proton sends them (source `aws.proton`, one resource ARN). */
export function eventEnvelope(e: StoredEvent, scope: { region: string; accountId: string }) {
  const arn = e.resourceArn.startsWith('arn:')
    ? e.resourceArn
    : `arn:aws:proton:${scope.region}:${scope.accountId}:${e.resourceArn}`;
  return {
    version: '0',
    id: e.id,
    'detail-type': e.detailType,
    source: 'aws.proton',
    account: scope.accountId,
    time: e.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: scope.region,
    resources: [arn],
    detail: e.detail,
  };
}

/**
 * The signature a receiver checks: `v1=` and the hex HMAC-SHA256, keyed with the subscription's
 * secret, of `<timestamp>.<body>` (the timestamp header, a dot, the raw body).
 */
export function signEvent(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
