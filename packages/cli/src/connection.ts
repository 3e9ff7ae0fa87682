import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProtonClient } from '@nucleon/protocol';

export interface ConnectionFlags {
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

/** Reads one profile from an AWS shared-credentials style INI file. */
export function readProfile(path: string, profile: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  let current: string | undefined;
  const values: Record<string, string> = {};
  let found = false;
  for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = section[1];
      found ||= current === profile;
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && current === profile) values[kv[1]!.toLowerCase()] = kv[2]!;
  }
  return found ? values : undefined;
}

/**
 * Endpoint and credentials the way the AWS CLI finds them: flags, then AWS_ENDPOINT_URL_PROTON /
 * AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID…, AWS_PROFILE in the shared files, and finally the
 * `nucleon` profile in ./.nucleon/credentials written by `nucleon up` on first start.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): { client: ProtonClient; endpoint: string } {
  const endpoint =
    flags.endpointUrl ||
    env.AWS_ENDPOINT_URL_PROTON ||
    env.AWS_ENDPOINT_URL ||
    `http://127.0.0.1:${env.NUCLEON_PORT ?? '8080'}`;
  const region = flags.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  let accessKeyId = flags.profile ? undefined : env.AWS_ACCESS_KEY_ID || undefined;
  let secretAccessKey = flags.profile ? undefined : env.AWS_SECRET_ACCESS_KEY || undefined;
  let sessionToken = flags.profile ? undefined : env.AWS_SESSION_TOKEN || undefined;
  if (!accessKeyId || !secretAccessKey) {
    const profile = flags.profile || env.AWS_PROFILE || undefined;
    const candidates: Array<[string, string]> = [];
    if (profile)
      candidates.push([
        env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
        profile,
      ]);
    candidates.push([
      join(resolve(env.NUCLEON_DATA_DIR ?? '.nucleon'), 'credentials'),
      profile ?? 'nucleon',
    ]);
    if (!profile)
      candidates.push([
        env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
        'default',
      ]);
    for (const [file, name] of candidates) {
      const p = readProfile(file, name);
      if (p?.aws_access_key_id && p.aws_secret_access_key) {
        accessKeyId = p.aws_access_key_id;
        secretAccessKey = p.aws_secret_access_key;
        sessionToken = p.aws_session_token;
        break;
      }
    }
  }
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or run from the folder where `nucleon up` wrote .nucleon/credentials.',
    );
  }
  return {
    endpoint,
    client: new ProtonClient({
      endpoint,
      region,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    }),
  };
}
