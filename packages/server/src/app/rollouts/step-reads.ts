import type { DeployDeps } from '../deploy/deploy-context.js';
import { environmentReadOnce } from '../deploy/environment-read-once.js';

/**
 * The dependencies one rollout step plans its deployments with, reading what every instance of
 * the step shares once: the target version's bundle and catalog row, and each environment. A step
 * plans tens of instances of one template version in a few environments; without this each
 * instance read them again (four round trips). Lives for one step only, so what it saw is as
 * current as the step's own view of the rollout.
 */
export function stepReads(d: DeployDeps): DeployDeps {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = read();
      memo.set(key, p);
      // A failed read is not remembered: the next instance asks again.
      p.catch(() => memo.delete(key));
    }
    return p;
  };
  const bundles: DeployDeps['bundles'] = Object.create(d.bundles) as DeployDeps['bundles'];
  bundles.load = (kind, name, major, minor) =>
    once(`bundle:${kind}:${name}:${major}.${minor}`, () =>
      d.bundles.load(kind, name, major, minor),
    );
  const catalog: DeployDeps['catalog'] = Object.create(d.catalog) as DeployDeps['catalog'];
  catalog.getVersion = (kind, name, major, minor) =>
    once(`version:${kind}:${name}:${major}.${minor}`, () =>
      d.catalog.getVersion(kind, name, major, minor),
    );
  return { ...d, bundles, catalog, store: environmentReadOnce(d.store) };
}
