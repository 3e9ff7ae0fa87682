import type { ReactNode } from 'react';
import { cliSetup } from '../components/getting-started.js';
import { PageHeader, Section } from '../components/ui.js';

/** How to point the AWS CLI, the SDKs and the nucleon CLI at this server. */
export function ConnectPage(props: { accessKeyId?: string }): ReactNode {
  const origin = window.location.origin;
  return (
    <>
      <PageHeader
        title="Connect your tools"
        subtitle="Nucleon speaks AWS Proton's API, so the AWS CLI, the SDKs and boto3 work against it unchanged."
      />
      <Section title="AWS CLI">
        <p>
          Point the CLI at this server and use one of its access keys (the CLI v2.13+ and v1.29+
          read the endpoint variable on their own):
        </p>
        <pre className="code">{cliSetup(props.accessKeyId)}</pre>
        <p className="hint">
          The root key is in <code>.nucleon/credentials</code> (profile <code>nucleon</code>); with
          it, use{' '}
          <code>AWS_SHARED_CREDENTIALS_FILE=$PWD/.nucleon/credentials AWS_PROFILE=nucleon</code>{' '}
          instead of the two key variables. Make more keys with <code>nucleon keys create</code>.
        </p>
      </Section>
      <Section title="SDKs">
        <pre className="code">{`// JavaScript (AWS SDK v3)
import { ProtonClient, ListEnvironmentTemplatesCommand } from '@aws-sdk/client-proton';
const proton = new ProtonClient({ region: 'us-east-1', endpoint: '${origin}' });
await proton.send(new ListEnvironmentTemplatesCommand({}));

# Python (boto3)
proton = boto3.client("proton", endpoint_url="${origin}", region_name="us-east-1")
proton.list_environment_templates()`}</pre>
      </Section>
      <Section title="Template bundles">
        <p>
          Upload bundles on a template's page, or push them from a terminal with{' '}
          <code>npx nucleon bundle push ./my-template</code>, which prints the <code>source</code>{' '}
          to pass to <code>create-environment-template-version</code>.
        </p>
      </Section>
    </>
  );
}
