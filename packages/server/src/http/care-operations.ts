import { extensionTargetPrefix } from '@nucleon/protocol';
import type { OperationEntry } from './operation-registry.js';

/** `Nucleon20261127.ExportBackup` (admins; see operation-access.ts): a snapshot without the master key. */
export function careOperations(
  exportBackup: () => Promise<Buffer>,
): Array<[string, OperationEntry]> {
  return [
    [
      `${extensionTargetPrefix}.ExportBackup`,
      {
        input: 'ExportBackupInput',
        output: 'ExportBackupOutput',
        handler: async () => ({ archive: (await exportBackup()).toString('base64') }),
      },
    ],
  ];
}
