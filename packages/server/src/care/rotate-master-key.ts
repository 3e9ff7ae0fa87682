import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { SecretBox } from '../adapters/auth/secret-box.js';
import type { NucleonConfig } from '../main/config.js';
import {
  masterKeyPath,
  nextMasterKeyPath,
  openForCare,
  readMasterKey,
  type CareDatabase,
} from './care-database.js';
import { forEachSealed, keyFingerprint, replaceSealed } from './sealed-values.js';

export interface RotationResult {
  /** Secrets re-encrypted. */
  secrets: number;
  oldFingerprint: string;
  newFingerprint: string;
  /** The new key (base64) when NUCLEON_MASTER_KEY holds the key: the operator must set it. */
  newKey?: string;
  /** An interrupted rotation was found and finished instead of starting another. */
  resumed?: boolean;
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Does the first sealed secret open with `key` (and not only the old one)? */
async function sealedWith(db: CareDatabase['db'], key: Buffer): Promise<boolean> {
  let sample: string | undefined;
  await forEachSealed(db, (v) => {
    sample ??= v.sealed;
  });
  if (sample === undefined) return false;
  try {
    new SecretBox(key).open(sample);
    return true;
  } catch {
    return false;
  }
}

const readKeyFile = (path: string) => Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');

/**
 * Re-encrypts every sealed secret under a new master key in one transaction (all or nothing);
 * the servers and workers must be stopped (an embedded data dir's lock enforces it). With the key
 * in the data dir, the new key is written to `master.key.next` before the transaction and renamed
 * over `master.key` after it commits; a crash in between leaves `master.key.next`, which the
 * server refuses to start with and the next run of this command finishes. With
 * NUCLEON_MASTER_KEY, the new key is `newKey` (or generated and returned) and must replace the
 * setting everywhere before anything starts again.
 */
export async function rotateMasterKey(
  config: NucleonConfig,
  newKey?: Buffer,
): Promise<RotationResult> {
  if (newKey && newKey.length !== 32) throw new Error('the new master key must be 32 bytes');
  const care = await openForCare(config);
  try {
    const current = readMasterKey(config);
    const next = nextMasterKeyPath(config.dataDir);
    const inDataDir = !config.masterKey;
    if (inDataDir && existsSync(next)) {
      // An interrupted rotation: the database holds secrets sealed with one of the two keys.
      const pending = readKeyFile(next);
      if ((await sealedWith(care.db, pending)) && !(await sealedWith(care.db, current))) {
        renameSync(next, masterKeyPath(config.dataDir));
        return {
          secrets: 0,
          oldFingerprint: keyFingerprint(current),
          newFingerprint: keyFingerprint(pending),
          resumed: true,
        };
      }
      rmSync(next);
    }
    const fresh = newKey ?? randomBytes(32);
    if (inDataDir) writeDurably(next, fresh.toString('base64') + '\n');
    const from = new SecretBox(current);
    const to = new SecretBox(fresh);
    let secrets = 0;
    try {
      secrets = await care.db.transaction().execute(async (trx) =>
        forEachSealed(trx, async (v) => {
          let plain: string;
          try {
            plain = from.open(v.sealed);
          } catch {
            throw new Error(
              `a secret in ${v.table}.${v.column} does not open with the current master key ${keyFingerprint(current)}; nothing was changed. Is this the key the installation uses?`,
            );
          }
          await replaceSealed(trx, v, to.seal(plain));
        }),
      );
    } catch (error) {
      // Rolled back: the new key is not needed. (Should the commit have landed after all, the
      // secrets open with the new key only; keep it for the next run to finish the rotation.)
      if (inDataDir && !(await sealedWith(care.db, fresh))) rmSync(next, { force: true });
      throw error;
    }
    if (inDataDir) renameSync(next, masterKeyPath(config.dataDir));
    return {
      secrets,
      oldFingerprint: keyFingerprint(current),
      newFingerprint: keyFingerprint(fresh),
      ...(inDataDir || newKey ? {} : { newKey: fresh.toString('base64') }),
    };
  } finally {
    await care.close();
  }
}
