import type { TemplateKind } from '@nucleon/core';
import { extensionTargetPrefix, targetPrefix } from '@nucleon/protocol';
import type { RepositorySyncService } from '../app/sync/repository-sync-service.js';
import type { ServiceSyncService } from '../app/sync/service-sync-service.js';
import type { TemplateSyncService } from '../app/sync/template-sync-service.js';
import type { SyncType } from '../ports/repository-sync-store.js';
import type { OperationEntry } from './operation-registry.js';

type In = Record<string, unknown>;
const o = <T>(v: unknown): T => v as T;
const s = (v: unknown): string => v as string;
const kind = (v: unknown): TemplateKind => v as TemplateKind;

/** Repository sync and template sync: Proton's operations and Nucleon's webhook extension. */
export function syncOperations(deps: {
  repositories: RepositorySyncService;
  templates: TemplateSyncService;
}): Array<[string, OperationEntry]> {
  const { repositories, templates } = deps;
  const entries: Array<[string, OperationEntry]> = [];
  const op = (name: string, handler: OperationEntry['handler'], prefix = targetPrefix) =>
    entries.push([
      `${prefix}.${name}`,
      { input: `${name}Input`, output: `${name}Output`, handler },
    ]);

  op('GetRepositorySyncStatus', async (i: In) =>
    repositories.syncStatus(
      o<
        { syncType: SyncType } & Record<'repositoryName' | 'repositoryProvider' | 'branch', string>
      >(i),
    ),
  );
  op('ListRepositorySyncDefinitions', async (i: In) =>
    repositories.definitions(
      o<{ syncType: SyncType } & Record<'repositoryName' | 'repositoryProvider', string>>(i),
    ),
  );
  op('CreateTemplateSyncConfig', async (i: In) =>
    templates.createConfig({ ...o(i), templateType: kind(i.templateType) }),
  );
  op('GetTemplateSyncConfig', async (i: In) =>
    templates.getConfig(kind(i.templateType), s(i.templateName)),
  );
  op('UpdateTemplateSyncConfig', async (i: In) =>
    templates.updateConfig({ ...o(i), templateType: kind(i.templateType) }),
  );
  op('DeleteTemplateSyncConfig', async (i: In) =>
    templates.deleteConfig(kind(i.templateType), s(i.templateName)),
  );
  op('GetTemplateSyncStatus', async (i: In) =>
    templates.status({ ...o(i), templateType: kind(i.templateType) }),
  );
  op('SetRepositoryWebhook', async (i: In) => repositories.setWebhook(o(i)), extensionTargetPrefix);
  op('GetRepositoryWebhook', async (i: In) => repositories.getWebhook(o(i)), extensionTargetPrefix);
  return entries;
}

/** Service sync: configs, instance sync status and blockers (Proton operations). */
export function serviceSyncOperations(sync: ServiceSyncService): Array<[string, OperationEntry]> {
  const entries: Array<[string, OperationEntry]> = [];
  const op = (name: string, handler: OperationEntry['handler']) =>
    entries.push([
      `${targetPrefix}.${name}`,
      { input: `${name}Input`, output: `${name}Output`, handler },
    ]);
  op('CreateServiceSyncConfig', async (i: In) => sync.createConfig(o(i)));
  op('GetServiceSyncConfig', async (i: In) => sync.getConfig(s(i.serviceName)));
  op('UpdateServiceSyncConfig', async (i: In) => sync.updateConfig(o(i)));
  op('DeleteServiceSyncConfig', async (i: In) => sync.deleteConfig(s(i.serviceName)));
  op('GetServiceInstanceSyncStatus', async (i: In) =>
    sync.instanceStatus(s(i.serviceName), s(i.serviceInstanceName)),
  );
  op('GetServiceSyncBlockerSummary', async (i: In) =>
    sync.blockerSummary(s(i.serviceName), i.serviceInstanceName as string | undefined),
  );
  op('UpdateServiceSyncBlocker', async (i: In) =>
    sync.resolveBlocker(s(i.id), s(i.resolvedReason)),
  );
  return entries;
}
