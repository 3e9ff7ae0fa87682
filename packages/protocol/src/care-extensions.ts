import type { ModelOperation, ModelShape } from './model-types.js';

/**
 * Looking after an installation (ADR 0027): `nucleon backup` of an embedded database while its
 * server runs asks that server for a snapshot (Nucleon20261127.ExportBackup, admins only). The
 * archive holds the sealed secrets but never the master key.
 */
export const careShapes: Readonly<Record<string, ModelShape>> = {
  ExportBackupInput: { type: 'structure', members: {} },
  ExportBackupOutput: {
    type: 'structure',
    required: ['archive'],
    members: {
      /** The backup archive (gzipped JSON lines), base64. */
      archive: { shape: 'NucleonBase64' },
    },
  },
};

export const careOperations = {
  ExportBackup: {
    input: 'ExportBackupInput',
    output: 'ExportBackupOutput',
    errors: ['AccessDeniedException', 'InternalServerException'],
    idempotent: true,
  },
} as const satisfies Record<string, ModelOperation>;

export interface ExportBackupOutput {
  archive: string;
}
