/** Where ARNs point: Nucleon's configured partition, region and account. */
export interface ArnScope {
  region: string;
  accountId: string;
  partition?: string;
}

/** Builds a Proton-shaped ARN (`arn:aws:proton:<region>:<account>:<resource>`). */
export function protonArn(scope: ArnScope, resource: string): string {
  return `arn:${scope.partition ?? 'aws'}:proton:${scope.region}:${scope.accountId}:${resource}`;
}

export type ParsedArn = {
  partition: string;
  region: string;
  accountId: string;
  resourceType: string;
  resource: string;
};

/** Parses a Proton ARN; returns undefined for anything else. */
export function parseProtonArn(arn: string): ParsedArn | undefined {
  const m = /^arn:([a-z-]+):proton:([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1]!,
    region: m[2]!,
    accountId: m[3]!,
    resourceType: m[4]!,
    resource: m[5]!,
  };
}
