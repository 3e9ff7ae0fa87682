import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookCheck =
  { ok: true; host: string } | { ok: false; status: 401 | 403; reason: string };

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Verifies a webhook delivery against the repository's secret, as each host signs it:
 * GitHub `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, Gitea (and Forgejo)
 * `X-Gitea-Signature: <hex HMAC-SHA256>`, GitLab `X-Gitlab-Token: <the secret itself>`.
 * No signature at all is 401; a wrong one is 403.
 */
export function checkWebhookSignature(
  headers: Record<string, string>,
  body: Uint8Array,
  secret: string | null,
): WebhookCheck {
  if (!secret)
    return {
      ok: false,
      status: 403,
      reason:
        'this repository has no webhook secret; set one with SetRepositoryWebhook (nucleon repos webhook)',
    };
  const hmac = () => createHmac('sha256', secret).update(body).digest('hex');
  const github = headers['x-hub-signature-256'];
  if (github !== undefined)
    return same(github, `sha256=${hmac()}`)
      ? { ok: true, host: 'github' }
      : { ok: false, status: 403, reason: 'X-Hub-Signature-256 does not match the body' };
  const gitea = headers['x-gitea-signature'] ?? headers['x-forgejo-signature'];
  if (gitea !== undefined)
    return same(gitea, hmac())
      ? { ok: true, host: 'gitea' }
      : { ok: false, status: 403, reason: 'X-Gitea-Signature does not match the body' };
  const gitlab = headers['x-gitlab-token'];
  if (gitlab !== undefined)
    return same(gitlab, secret)
      ? { ok: true, host: 'gitlab' }
      : { ok: false, status: 403, reason: 'X-Gitlab-Token is not the repository’s secret' };
  return {
    ok: false,
    status: 401,
    reason:
      'the delivery is not signed: send X-Hub-Signature-256 (GitHub), X-Gitea-Signature (Gitea) or X-Gitlab-Token (GitLab)',
  };
}

/** The branch a push payload (GitHub, GitLab, Gitea) names, if any: `ref: refs/heads/<branch>`. */
export function pushedBranch(body: Uint8Array): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(body).toString('utf8')) as { ref?: unknown };
    return typeof payload.ref === 'string' && payload.ref.startsWith('refs/heads/')
      ? payload.ref.slice('refs/heads/'.length)
      : undefined;
  } catch {
    return undefined;
  }
}
