import { extensionTargetPrefix } from '@nucleon/protocol';
import type { AccessControlService } from '../app/access/access-control-service.js';
import type { OperationEntry } from './operation-registry.js';

/** Extension operations behind `nucleon keys create|list|delete` (admins only; see operation-access.ts). */
export function accessKeyOperations(access: AccessControlService): Array<[string, OperationEntry]> {
  const entry = (name: string, handler: OperationEntry['handler']): [string, OperationEntry] => [
    `${extensionTargetPrefix}.${name}`,
    { input: `${name}Input`, output: `${name}Output`, handler },
  ];
  const opt = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return [
    entry('CreateAccessKey', async (i) => {
      const k = await access.createKey({
        description: opt(i.description),
        userName: opt(i.userName),
        role: opt(i.role),
        accountId: opt(i.accountId),
      });
      const listed = (await access.listKeys()).find((x) => x.accessKeyId === k.accessKeyId);
      const role = listed?.effectiveRole;
      return {
        accessKey: {
          accessKeyId: k.accessKeyId,
          secretAccessKey: k.secretAccessKey,
          description: k.description ?? undefined,
          root: false,
          createdAt: new Date(),
          userName: k.userName ?? undefined,
          role,
          accountId: listed?.accountId,
        },
      };
    }),
    entry('ListAccessKeys', async () => ({
      accessKeys: (await access.listKeys()).map((k) => ({
        accessKeyId: k.accessKeyId,
        description: k.description ?? undefined,
        root: k.isRoot,
        createdAt: k.createdAt,
        userName: k.userName ?? undefined,
        role: k.effectiveRole,
        accountId: k.accountId,
      })),
    })),
    entry('DeleteAccessKey', async (i, ctx) => {
      await access.deleteKey(String(i.accessKeyId), ctx.principal);
      return {};
    }),
  ];
}
