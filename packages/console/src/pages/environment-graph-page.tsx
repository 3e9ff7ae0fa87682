import type { ReactNode } from 'react';
import { EnvironmentGraph } from '../components/environment-graph.js';
import { PageHeader } from '../components/ui.js';
import { Link, pathOf } from '../router.js';

/** The environment graph on a page of its own (linked from the environments list). */
export function EnvironmentGraphPage(props: { name: string }): ReactNode {
  const { name } = props;
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Environments', to: '/environments' },
          { label: name, to: pathOf('environments', name) },
        ]}
        title={`Graph of ${name}`}
        subtitle={
          <>
            The environment, the services and instances running in it, and its components, with
            their deployment status and template versions.{' '}
            <Link to={pathOf('environments', name)}>Open the environment</Link>.
          </>
        }
      />
      <EnvironmentGraph name={name} empty={<>No service runs in {name} yet.</>} />
    </>
  );
}
