import type { ReactNode } from 'react';
import { useCan } from '../hooks/use-access.js';
import { Link } from '../router.js';

/** The shell commands that point the AWS CLI and SDKs at this Nucleon server. */
export function cliSetup(accessKeyId = '<access key id>'): string {
  return [
    `export AWS_ENDPOINT_URL_PROTON=${window.location.origin}`,
    'export AWS_REGION=us-east-1',
    `export AWS_ACCESS_KEY_ID=${accessKeyId}`,
    'export AWS_SECRET_ACCESS_KEY=<its secret>',
    'aws proton list-environment-templates',
  ].join('\n');
}

/** How to register a first template, here or from a terminal. */
export function GettingStarted(): ReactNode {
  if (!useCan('templates:write')) {
    return (
      <p className="muted">
        No template is registered yet. Templates are registered by platform engineers and admins;
        ask one to publish a template you can use.
      </p>
    );
  }
  return (
    <div className="getting-started">
      <ol className="steps">
        <li>
          <strong>Create an environment template</strong> on the{' '}
          <Link to="/templates">Templates</Link> page (a name is enough).
        </li>
        <li>
          <strong>Upload a version</strong>: a Proton template bundle packed as <code>.tar.gz</code>{' '}
          — the folder holding <code>schema/schema.yaml</code> and{' '}
          <code>infrastructure/manifest.yaml</code>, packed with{' '}
          <code>tar -czf bundle.tar.gz -C my-template .</code>. Nucleon checks it and the version
          becomes a <em>draft</em>.
        </li>
        <li>
          <strong>Publish</strong> the draft, then{' '}
          <Link to="/create/environment">create an environment</Link> from it. Service templates
          work the same way, with the environment templates they are compatible with.
        </li>
      </ol>
      <details>
        <summary>Prefer a terminal? The same steps with the AWS CLI</summary>
        <pre className="code">{`npx nucleon bundle push ./my-env-template     # prints {"s3":{"bucket":…,"key":…}}
aws proton create-environment-template --name my-env
aws proton create-environment-template-version --template-name my-env \\
  --source '{"s3":{"bucket":"nucleon-bundles","key":"my-env-template-….tar.gz"}}'
aws proton update-environment-template-version --template-name my-env \\
  --major-version 1 --minor-version 0 --status PUBLISHED`}</pre>
        <p className="hint">
          See <Link to="/connect">Connect tools</Link> to point the AWS CLI at this server.
        </p>
      </details>
    </div>
  );
}
