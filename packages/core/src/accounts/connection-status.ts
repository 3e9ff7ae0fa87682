/** Proton's EnvironmentAccountConnectionStatus values. */
export const ConnectionStatus = {
  PENDING: 'PENDING',
  CONNECTED: 'CONNECTED',
  REJECTED: 'REJECTED',
} as const;
export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

/**
 * The connection state machine (spec §7): a request is PENDING until the management account
 * accepts it (CONNECTED) or rejects it (REJECTED, final). A connected connection may still be
 * rejected while no environment uses it; that guard lives beside the SQL update.
 */
const transitions: Record<ConnectionStatus, readonly ConnectionStatus[]> = {
  PENDING: ['CONNECTED', 'REJECTED'],
  CONNECTED: ['REJECTED'],
  REJECTED: [],
};

const ALL = Object.values(ConnectionStatus);

export function canConnectionTransition(from: ConnectionStatus, to: ConnectionStatus): boolean {
  return transitions[from].includes(to);
}

/** The statuses a connection may move to `to` from: the guard of the one SQL update that moves it. */
export function connectionSourcesOf(to: ConnectionStatus): ConnectionStatus[] {
  return ALL.filter((from) => canConnectionTransition(from, to));
}

export function isConnectionStatus(value: unknown): value is ConnectionStatus {
  return typeof value === 'string' && (ALL as string[]).includes(value);
}
