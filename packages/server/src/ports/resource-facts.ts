/** What access control needs to know about existing resources to apply grants. */
export interface ResourceFacts {
  /** The template a service was created from, if the service exists. */
  serviceTemplate(serviceName: string): Promise<string | undefined>;
  /** The environments a service's instances run in. */
  serviceEnvironments(serviceName: string): Promise<string[]>;
  /** The environment a service instance runs in. */
  instanceEnvironment(serviceName: string, instanceName: string): Promise<string | undefined>;
  /** The environment a component is attached to. */
  componentEnvironment(componentName: string): Promise<string | undefined>;
  /** An environment account connection's ARN (it carries the environment account, ADR 0018). */
  connectionArn?(id: string): Promise<string | undefined>;
}
