import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type SessionInfo } from '../api/console-api.js';
import { ErrorBanner } from '../components/ui.js';

/** Opens a console session with an access key; the secret is sent once and never stored. */
export function SignInPage(props: { onSignedIn(session: SessionInfo): void }): ReactNode {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.signIn(accessKeyId.trim(), secret);
      setSecret('');
      props.onSignedIn(session);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-card" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">◎</span> Nucleon
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <p className="hint">
          Use an access key of this Nucleon server: the root key is in <code>.nucleon/credentials</code> (written at first start), and{' '}
          <code>nucleon keys create</code> makes more. The secret is checked once to open a session; the browser keeps only a session cookie.
        </p>
        <div className="field">
          <label htmlFor="access-key-id">Access key ID</label>
          <input id="access-key-id" name="accessKeyId" value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} autoComplete="username" spellCheck={false} required autoFocus />
        </div>
        <div className="field">
          <label htmlFor="secret-access-key">Secret access key</label>
          <input id="secret-access-key" name="secretAccessKey" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="current-password" required />
        </div>
        <ErrorBanner error={error} title="Could not sign in" />
        <button type="submit" className="primary wide" disabled={busy || !accessKeyId || !secret}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
