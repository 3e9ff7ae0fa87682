import { CloudFormation } from '@aws-sdk/client-cloudformation';
import { STS } from '@aws-sdk/client-sts';

/** Where a stack lives: a region (undefined: the SDK's default) reached with a role (or not). */
export interface AwsScope {
  region?: string | undefined;
  /** The role assumed to read the account (`--role-arn`); none: the SDK chain's credentials. */
  roleArn?: string | undefined;
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/**
 * CloudFormation clients per region and account, through the SDK's standard chain
 * (AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDFORMATION, …); for another account, the role given with
 * `--role-arn` is assumed once through STS (AWS_ENDPOINT_URL_STS) and its session used for every
 * region. Only read calls are made with them.
 */
export class AwsScopes {
  private readonly roles = new Map<string, Promise<Credentials>>();
  private readonly clients = new Map<string, CloudFormation>();

  async cloudFormation(scope: AwsScope): Promise<CloudFormation> {
    const key = `${scope.region ?? ''}\u0000${scope.roleArn ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      const credentials = scope.roleArn
        ? await this.assume(scope.roleArn, scope.region)
        : undefined;
      client = new CloudFormation({
        ...(scope.region ? { region: scope.region } : {}),
        ...(credentials ? { credentials } : {}),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private assume(roleArn: string, region: string | undefined): Promise<Credentials> {
    let creds = this.roles.get(roleArn);
    if (!creds) {
      creds = (async () => {
        const sts = new STS(region ? { region } : {});
        try {
          const out = await sts.assumeRole({
            RoleArn: roleArn,
            RoleSessionName: 'nucleon-import-proton',
          });
          const c = out.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey)
            throw new Error('STS answered without credentials');
          return {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          };
        } catch (error) {
          throw new Error(
            `cannot assume --role-arn ${roleArn}: ${(error as Error).message}. Check the role's trust policy allows your credentials, or leave it out to read with your own.`,
          );
        } finally {
          sts.destroy();
        }
      })();
      this.roles.set(roleArn, creds);
    }
    return creds;
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

/**
 * Every region × account pair to discover in (`--region` and `--role-arn` may each repeat): the
 * account of your own credentials, and one more per role.
 */
export function scopesOf(regions: readonly string[], roles: readonly string[]): AwsScope[] {
  const rs = regions.length ? regions : [undefined];
  const as = [undefined, ...roles];
  return as.flatMap((roleArn) => rs.map((region) => ({ region, roleArn })));
}
