import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkWebhookSignature, pushedBranch } from './webhook-signature.js';

const secret = 'the-repository-secret';
const body = new TextEncoder().encode('{"ref":"refs/heads/main","after":"abc"}');
const hmac = (key: string) => createHmac('sha256', key).update(body).digest('hex');

describe('checkWebhookSignature', () => {
  it.each([
    [{ 'x-hub-signature-256': `sha256=${hmac(secret)}` }, { ok: true, host: 'github' }],
    [{ 'x-gitea-signature': hmac(secret) }, { ok: true, host: 'gitea' }],
    [{ 'x-forgejo-signature': hmac(secret) }, { ok: true, host: 'gitea' }],
    [{ 'x-gitlab-token': secret }, { ok: true, host: 'gitlab' }],
    [{ 'x-hub-signature-256': `sha256=${hmac('other')}` }, { ok: false, status: 403 }],
    [{ 'x-hub-signature-256': hmac(secret) }, { ok: false, status: 403 }],
    [{ 'x-gitea-signature': hmac('other') }, { ok: false, status: 403 }],
    [{ 'x-gitlab-token': 'other' }, { ok: false, status: 403 }],
    [{}, { ok: false, status: 401 }],
  ])('%j → %j', (headers, expected) => {
    expect(checkWebhookSignature(headers, body, secret)).toMatchObject(expected);
  });

  it('refuses every delivery while the repository has no secret', () => {
    expect(checkWebhookSignature({ 'x-gitlab-token': '' }, body, null)).toMatchObject({
      ok: false,
      status: 403,
      reason: expect.stringMatching(/SetRepositoryWebhook/),
    });
  });

  it('reads the pushed branch from GitHub, GitLab and Gitea payloads', () => {
    expect(pushedBranch(body)).toBe('main');
    expect(pushedBranch(new TextEncoder().encode('{"ref":"refs/tags/v1"}'))).toBeUndefined();
    expect(pushedBranch(new TextEncoder().encode('not json'))).toBeUndefined();
  });
});
