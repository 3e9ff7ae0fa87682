/** An operator's acceptance of one resource's observed drift (ADR 0023, "Accepting drift"). */
export interface DriftAcceptance {
  resourceArn: string;
  /** The report's `driftFingerprint` of the drift that was accepted. */
  fingerprint: string;
  /** The resource's last successful deployment when it was accepted. */
  deploymentId: string;
  acceptedBy: string;
  acceptedAt: Date;
}

export interface DriftAcceptanceStore {
  /** Every recorded acceptance, by resource ARN. */
  all(): Promise<Map<string, DriftAcceptance>>;
  /**
   * Records (or replaces) the acceptance in one transaction, only while the resource's last
   * successful deployment is still `deploymentId`; undefined when it is not (deployed since).
   */
  accept(a: Omit<DriftAcceptance, 'acceptedAt'>): Promise<DriftAcceptance | undefined>;
}
