import type { DeploymentStore } from '../../ports/deployment-store.js';

/**
 * The store, with each environment read at most once through it: one deployment (or one rollout
 * step) looks its environment up for the render context, the role and the provisioning
 * repository, and it is the same row for all of them. Make one per unit of work, never a
 * long-lived one: what it saw is only as current as that work's start.
 */
export function environmentReadOnce(store: DeploymentStore): DeploymentStore {
  const seen = new Map<string, ReturnType<DeploymentStore['getResource']>>();
  const scoped = Object.create(store) as DeploymentStore;
  scoped.getResource = (key) => {
    if (key.kind !== 'ENVIRONMENT') return store.getResource(key);
    let p = seen.get(key.name);
    if (!p) {
      p = store.getResource(key);
      seen.set(key.name, p);
      // A failed read is not remembered.
      p.catch(() => seen.delete(key.name));
    }
    return p;
  };
  return scoped;
}
