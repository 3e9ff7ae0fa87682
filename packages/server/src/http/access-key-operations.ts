import { ValidationError } from '@nucleon/core';
import { extensionTargetPrefix } from '@nucleon/protocol';
import type { AccessKeysService } from '../app/access-keys-service.js';
import type { OperationEntry } from './operation-registry.js';

/** Extension operations behind `nucleon keys create|list|delete` (admin keys only). */
export function accessKeyOperations(keys: AccessKeysService): Array<[string, OperationEntry]> {
  const entry = (name: string, handler: OperationEntry['handler']): [string, OperationEntry] => [
    `${extensionTargetPrefix}.${name}`,
    { input: `${name}Input`, output: `${name}Output`, handler },
  ];
  return [
    entry('CreateAccessKey', async (i) => {
      const k = await keys.create(typeof i.description === 'string' ? i.description : null);
      return { accessKey: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, description: k.description ?? undefined, root: false, createdAt: new Date() } };
    }),
    entry('ListAccessKeys', async () => ({
      accessKeys: (await keys.list()).map((k) => ({ accessKeyId: k.accessKeyId, description: k.description ?? undefined, root: k.isRoot, createdAt: k.createdAt })),
    })),
    entry('DeleteAccessKey', async (i, ctx) => {
      const id = String(i.accessKeyId);
      if (id === ctx.principal.accessKeyId) {
        throw new ValidationError('You cannot delete the access key you are signing this request with. Use another key.');
      }
      await keys.delete(id);
      return {};
    }),
  ];
}
