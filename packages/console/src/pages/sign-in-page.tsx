import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type SessionInfo } from '../api/console-api.js';
import { ErrorBanner } from '../components/ui.js';

type Mode = 'password' | 'key';

/** Opens a console session with a user name and password, or an access key; secrets are sent once and never stored. */
export function SignInPage(props: { onSignedIn(session: SessionInfo): void }): ReactNode {
  const [mode, setMode] = useState<Mode>('key');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const byPassword = mode === 'password';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = byPassword
        ? await api.signInWithPassword(name.trim(), secret)
        : await api.signIn(name.trim(), secret);
      setSecret('');
      props.onSignedIn(session);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const choose = (next: Mode) => {
    setMode(next);
    setName('');
    setSecret('');
    setError(undefined);
  };

  return (
    <main className="sign-in" id="main">
      <form
        className="card sign-in-card"
        onSubmit={(e) => void submit(e)}
        aria-labelledby="sign-in-title"
      >
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            ◎
          </span>{' '}
          Nucleon
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <fieldset className="radio-row">
          <legend>Sign in with</legend>
          <label>
            <input
              type="radio"
              name="mode"
              value="password"
              checked={byPassword}
              onChange={() => choose('password')}
            />{' '}
            User name and password
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              value="key"
              checked={!byPassword}
              onChange={() => choose('key')}
            />{' '}
            Access key
          </label>
        </fieldset>
        {byPassword ? (
          <p className="hint">
            Use the user name and console password an admin gave you (
            <code>nucleon users create &lt;name&gt; --password-stdin</code>, or the console&apos;s
            Users page).
          </p>
        ) : (
          <p className="hint">
            Use an access key of this Nucleon server: the root key is in{' '}
            <code>.nucleon/credentials</code> (written at first start), and{' '}
            <code>nucleon keys create</code> makes more. The secret is checked once to open a
            session; the browser keeps only a session cookie.
          </p>
        )}
        <div className="field">
          <label htmlFor="sign-in-name">{byPassword ? 'User name' : 'Access key ID'}</label>
          <input
            id="sign-in-name"
            key={mode}
            name={byPassword ? 'userName' : 'accessKeyId'}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="username"
            spellCheck={false}
            required
            autoFocus
          />
        </div>
        <div className="field">
          <label htmlFor="sign-in-secret">{byPassword ? 'Password' : 'Secret access key'}</label>
          <input
            id="sign-in-secret"
            name={byPassword ? 'password' : 'secretAccessKey'}
            type="password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            autoComplete="current-password"
            required
          />
        </div>
        <ErrorBanner error={error} title="Could not sign in" />
        <button type="submit" className="primary wide" disabled={busy || !name || !secret}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
