/** Asks a health-check URL whether it answers 2xx (rollouts' bake-time checks). */
export interface HealthProbe {
  /** Undefined when healthy; otherwise why not (status, error, timeout). */
  check(url: string): Promise<string | undefined>;
}
