import {
  CloudFormation,
  type CancelUpdateStackInput,
  type CloudFormationClientConfig,
  type CreateChangeSetInput,
  type CreateChangeSetOutput,
  type CreateStackInput,
  type CreateStackOutput,
  type DeleteChangeSetInput,
  type DeleteStackInput,
  type DescribeChangeSetInput,
  type DescribeChangeSetOutput,
  type DescribeStackEventsInput,
  type DescribeStackEventsOutput,
  type DescribeStacksInput,
  type DescribeStacksOutput,
  type ExecuteChangeSetInput,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { STS, type AssumeRoleRequest, type AssumeRoleResponse } from '@aws-sdk/client-sts';
import type { EngineErrorCode } from '../../ports/stack-engine.js';

/**
 * The CloudFormation calls the engine makes, and nothing more. The SDK's `CloudFormation` client
 * satisfies it; tests substitute a small fake for the calls an emulator cannot answer
 * (moto_server fails CancelUpdateStack with HTTP 500).
 */
export interface CloudFormationApi {
  describeStacks(input: DescribeStacksInput): Promise<DescribeStacksOutput>;
  describeStackEvents(input: DescribeStackEventsInput): Promise<DescribeStackEventsOutput>;
  createStack(input: CreateStackInput): Promise<CreateStackOutput>;
  createChangeSet(input: CreateChangeSetInput): Promise<CreateChangeSetOutput>;
  describeChangeSet(input: DescribeChangeSetInput): Promise<DescribeChangeSetOutput>;
  executeChangeSet(input: ExecuteChangeSetInput): Promise<unknown>;
  deleteChangeSet(input: DeleteChangeSetInput): Promise<unknown>;
  deleteStack(input: DeleteStackInput): Promise<unknown>;
  cancelUpdateStack(input: CancelUpdateStackInput): Promise<unknown>;
  /** Releases sockets; called after each operation on clients of the built-in factory. */
  destroy?(): void;
}

/** The STS call used to act as a resource's role. */
export interface StsApi {
  assumeRole(input: AssumeRoleRequest): Promise<AssumeRoleResponse>;
  destroy?(): void;
}

/** Credentials as the SDK accepts them: static keys or a provider function. */
export type AwsCredentials = NonNullable<CloudFormationClientConfig['credentials']>;

/** What a client is built for: one region, and the credentials of one operation. */
export interface AwsClientContext {
  region: string;
  /** Undefined means the SDK's default credential chain. */
  credentials?: AwsCredentials;
}

export type CloudFormationClientFactory = (context: AwsClientContext) => CloudFormationApi;
export type StsClientFactory = (context: AwsClientContext) => StsApi;

/** Builds SDK clients; an undefined endpoint leaves the SDK's endpoint chain in charge. */
export function sdkCloudFormationFactory(
  endpoint?: string,
  maxAttempts?: number,
): CloudFormationClientFactory {
  return ({ region, credentials }) =>
    new CloudFormation({ region, credentials, endpoint, maxAttempts });
}

export function sdkStsFactory(endpoint?: string): StsClientFactory {
  return ({ region, credentials }) => new STS({ region, credentials, endpoint });
}

/** Refresh assumed credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Assumes `roleArn` once now (so a refused AssumeRole fails the operation up front, with STS's
 * reason) and returns a provider that re-assumes shortly before expiry, so stack operations
 * longer than the session duration keep working.
 */
export async function assumeRoleCredentials(options: {
  sts: StsApi;
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
}): Promise<AwsCredentials> {
  const assume = async (): Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration?: Date;
  }> => {
    const response = await options.sts.assumeRole({
      RoleArn: options.roleArn,
      RoleSessionName: options.sessionName,
      DurationSeconds: options.durationSeconds,
    });
    const c = response.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
      throw new Error(`STS AssumeRole for ${options.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
  let current = await assume();
  return async () => {
    const expiresAt = current.expiration?.getTime();
    if (expiresAt !== undefined && expiresAt - Date.now() < REFRESH_MARGIN_MS)
      current = await assume();
    return current;
  };
}

/** STS session names allow `[\w+=,.@-]{2,64}`; stack names are a subset, but may be longer. */
export function roleSessionName(stackName: string): string {
  return `nucleon-${stackName}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/** DescribeStacks by name or id; `undefined` when CloudFormation says the stack does not exist. */
export async function describeStack(
  api: CloudFormationApi,
  stackName: string,
): Promise<Stack | undefined> {
  try {
    const response = await api.describeStacks({ StackName: stackName });
    return response.Stacks?.[0];
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw error;
  }
}

export function isStackMissing(error: unknown): boolean {
  return errorName(error) === 'ValidationError' && /does not exist/i.test(errorText(error));
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** The error's message, without the SDK's multi-line deserialization hints. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]?.trim() ?? text;
}

/**
 * Sorts an SDK error into the engines' closed failure codes: CloudFormation's own rejections of a
 * template are TEMPLATE_INVALID; credential problems need an operator (ENGINE_FAILED); anything
 * else (network, throttling, 5xx, a race on stack state) is INTERNAL and safe to retry.
 */
const CREDENTIAL_ERRORS =
  /AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch/;

export function classifyAwsError(error: unknown): EngineErrorCode {
  const name = errorName(error);
  const text = errorText(error);
  const stateRace = /state and can ?not be|in progress/i.test(text);
  if (name === 'ValidationError' && stateRace) return 'INTERNAL';
  if (name === 'ValidationError' || name === 'InsufficientCapabilitiesException') {
    return 'TEMPLATE_INVALID';
  }
  return CREDENTIAL_ERRORS.test(name) ? 'ENGINE_FAILED' : 'INTERNAL';
}
