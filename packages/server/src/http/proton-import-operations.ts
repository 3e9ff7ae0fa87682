import { extensionTargetPrefix, type ProtonImportRequest } from '@nucleon/protocol';
import type { ProtonDiscoveryService } from '../app/adopt/proton-discovery-service.js';
import type { ProtonImportService } from '../app/adopt/proton-import-service.js';
import type { OperationEntry } from './operation-registry.js';

/** DiscoverProtonResources, MatchProtonResource and AdoptProtonResource (ADR 0021, 0030). */
export function protonImportOperations(
  service: ProtonImportService,
  discovery: ProtonDiscoveryService,
): Array<[string, OperationEntry]> {
  const entry = (name: string, handler: OperationEntry['handler']): [string, OperationEntry] => [
    `${extensionTargetPrefix}.${name}`,
    { input: `${name}Input`, output: `${name}Output`, handler },
  ];
  return [
    entry('DiscoverProtonResources', async (i) => discovery.discover(i)),
    entry('MatchProtonResource', async (i) => service.match(i as unknown as ProtonImportRequest)),
    entry('AdoptProtonResource', async (i) => service.adopt(i as unknown as ProtonImportRequest)),
  ];
}
