import { targetPrefix } from '@nucleon/protocol';
import type { ConnectionsService } from '../app/accounts/connections-service.js';
import type { OperationEntry } from './operation-registry.js';

type In = Record<string, unknown>;
const o = <T>(v: unknown): T => v as T;
const s = (v: unknown): string => v as string;

/** The seven environment account connection operations (spec §7, ADR 0018). */
export function connectionOperations(
  connections: ConnectionsService,
): Array<[string, OperationEntry]> {
  const op = (name: string, handler: OperationEntry['handler']): [string, OperationEntry] => [
    `${targetPrefix}.${name}`,
    { input: `${name}Input`, output: `${name}Output`, handler },
  ];
  return [
    op('CreateEnvironmentAccountConnection', async (i: In, ctx) => ({
      environmentAccountConnection: await connections.create(o(i), ctx.principal),
    })),
    op('GetEnvironmentAccountConnection', async (i: In, ctx) => ({
      environmentAccountConnection: await connections.get(s(i.id), ctx.principal),
    })),
    op('ListEnvironmentAccountConnections', async (i: In, ctx) =>
      connections.list(o(i), ctx.principal),
    ),
    op('AcceptEnvironmentAccountConnection', async (i: In, ctx) => ({
      environmentAccountConnection: await connections.accept(s(i.id), ctx.principal),
    })),
    op('RejectEnvironmentAccountConnection', async (i: In, ctx) => ({
      environmentAccountConnection: await connections.reject(s(i.id), ctx.principal),
    })),
    op('UpdateEnvironmentAccountConnection', async (i: In, ctx) => ({
      environmentAccountConnection: await connections.update(o(i), ctx.principal),
    })),
    op('DeleteEnvironmentAccountConnection', async (i: In, ctx) => ({
      environmentAccountConnection: await connections.delete(s(i.id), ctx.principal),
    })),
  ];
}
