/** Proton's ServiceStatus values. */
export const ServiceStatus = {
  CREATE_IN_PROGRESS: 'CREATE_IN_PROGRESS',
  CREATE_FAILED_CLEANUP_IN_PROGRESS: 'CREATE_FAILED_CLEANUP_IN_PROGRESS',
  CREATE_FAILED_CLEANUP_COMPLETE: 'CREATE_FAILED_CLEANUP_COMPLETE',
  CREATE_FAILED_CLEANUP_FAILED: 'CREATE_FAILED_CLEANUP_FAILED',
  CREATE_FAILED: 'CREATE_FAILED',
  ACTIVE: 'ACTIVE',
  DELETE_IN_PROGRESS: 'DELETE_IN_PROGRESS',
  DELETE_FAILED: 'DELETE_FAILED',
  UPDATE_IN_PROGRESS: 'UPDATE_IN_PROGRESS',
  UPDATE_FAILED_CLEANUP_IN_PROGRESS: 'UPDATE_FAILED_CLEANUP_IN_PROGRESS',
  UPDATE_FAILED_CLEANUP_COMPLETE: 'UPDATE_FAILED_CLEANUP_COMPLETE',
  UPDATE_FAILED_CLEANUP_FAILED: 'UPDATE_FAILED_CLEANUP_FAILED',
  UPDATE_FAILED: 'UPDATE_FAILED',
  UPDATE_COMPLETE_CLEANUP_FAILED: 'UPDATE_COMPLETE_CLEANUP_FAILED',
} as const;
export type ServiceStatus = (typeof ServiceStatus)[keyof typeof ServiceStatus];

const ALL = Object.values(ServiceStatus);

/** A service in one of these has an operation running; UpdateService and DeleteService wait for it. */
export function isServiceBusy(status: string): boolean {
  return status.endsWith('_IN_PROGRESS');
}

/** Settled statuses: a new service-level operation (update, delete) may start from each. */
const SETTLED = ALL.filter((s) => !isServiceBusy(s));

const transitions: Record<ServiceStatus, readonly ServiceStatus[]> = {
  CREATE_IN_PROGRESS: ['ACTIVE', 'CREATE_FAILED', 'CREATE_FAILED_CLEANUP_IN_PROGRESS'],
  CREATE_FAILED_CLEANUP_IN_PROGRESS: [
    'CREATE_FAILED_CLEANUP_COMPLETE',
    'CREATE_FAILED_CLEANUP_FAILED',
  ],
  UPDATE_IN_PROGRESS: ['ACTIVE', 'UPDATE_FAILED', 'UPDATE_COMPLETE_CLEANUP_FAILED'],
  UPDATE_FAILED_CLEANUP_IN_PROGRESS: [
    'UPDATE_FAILED_CLEANUP_COMPLETE',
    'UPDATE_FAILED_CLEANUP_FAILED',
  ],
  DELETE_IN_PROGRESS: ['DELETE_FAILED'],
  ACTIVE: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  CREATE_FAILED_CLEANUP_COMPLETE: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  CREATE_FAILED_CLEANUP_FAILED: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  CREATE_FAILED: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  DELETE_FAILED: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  UPDATE_FAILED_CLEANUP_COMPLETE: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  UPDATE_FAILED_CLEANUP_FAILED: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  UPDATE_FAILED: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  UPDATE_COMPLETE_CLEANUP_FAILED: ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
};

/** The service state machine (Proton's ServiceStatus): which status may follow which. */
export function canServiceTransition(from: ServiceStatus, to: ServiceStatus): boolean {
  return transitions[from].includes(to);
}

/** The statuses a service may move to `to` from: the guard of the SQL update that moves it. */
export function serviceSourcesOf(to: ServiceStatus): ServiceStatus[] {
  return ALL.filter((from) => canServiceTransition(from, to));
}

/** Statuses from which UpdateService or DeleteService may start. */
export function settledServiceStatuses(): ServiceStatus[] {
  return [...SETTLED];
}
