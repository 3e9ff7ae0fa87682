/**
 * Named steps of a deployment where tests inject failures (the fault-injection suite). In
 * production the injector does nothing; it is enabled only by the test-only NUCLEON_FAULTS setting.
 */
export const FaultStep = {
  /** The job was claimed and handed to the deployment runner. */
  CLAIM: 'claim',
  /** Before the templates are rendered. */
  RENDER: 'render',
  /** The rendered files are recorded; the engine is about to start. */
  ENGINE_START: 'engine-start',
  /** The engine ran, but its call failed before the result was recorded. */
  ENGINE_RUNNING: 'engine-running',
  /** The result is in hand; the deployment is about to end. */
  FINISH: 'finish',
  /** The deployment ended with its outputs recorded. */
  OUTPUTS_RECORDED: 'outputs-recorded',
  /** The follow-up after the end (the service's status) is about to run. */
  RECONCILE: 'reconcile',
} as const;
export type FaultStep = (typeof FaultStep)[keyof typeof FaultStep];

/** An error a test asked for. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export interface FaultInjector {
  /** Throws an {@link InjectedFault} when a fault is configured for this step and subject (a resource name). */
  at(step: FaultStep, subject: string): void;
}

export const noFaults: FaultInjector = { at: () => undefined };
