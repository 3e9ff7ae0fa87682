import type { STSClient } from '@aws-sdk/client-sts';

/**
 * Assumes a role through STS with the SDK's default credential and endpoint chain
 * (AWS_ENDPOINT_URL_STS points it at an emulator), for commands that need cloud credentials.
 */
export class StsRoleCredentials {
  private client: STSClient | undefined;

  constructor(private readonly region: string) {}

  async assume(roleArn: string, sessionName: string, durationSeconds: number) {
    const { AssumeRoleCommand, STSClient: Client } = await import('@aws-sdk/client-sts');
    this.client ??= new Client({ region: this.region, maxAttempts: 2 });
    const out = await this.client.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName.slice(0, 64),
        DurationSeconds: Math.min(Math.max(durationSeconds, 900), 43_200),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new Error(`STS AssumeRole of ${roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiresAt: c.Expiration ?? new Date(Date.now() + durationSeconds * 1000),
    };
  }
}
