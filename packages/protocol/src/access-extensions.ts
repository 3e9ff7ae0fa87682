import type { ModelOperation, ModelShape } from './model-types.js';

/**
 * Access control extension operations (Nucleon20261127.*): users, grants, the caller's own
 * access, and the audit log. Access keys' shapes are in extensions.ts (they gained userName/role).
 */
export const accessShapes: Readonly<Record<string, ModelShape>> = {
  NucleonUserName: { type: 'string', min: 1, max: 64 },
  NucleonRole: { type: 'string', enum: ['admin', 'platform', 'developer', 'read-only'] },
  NucleonPassword: { type: 'string', min: 12, max: 1024, sensitive: true },
  NucleonGrantKind: { type: 'string', enum: ['template', 'environment'] },
  NucleonGrantPattern: { type: 'string', min: 1, max: 100 },
  NucleonStringList: { type: 'list', member: 'NucleonString' },
  NucleonUser: {
    type: 'structure',
    required: ['userName', 'role', 'hasPassword', 'accessKeyIds', 'createdAt'],
    members: {
      userName: { shape: 'NucleonUserName' },
      role: { shape: 'NucleonRole' },
      hasPassword: { shape: 'NucleonBoolean' },
      accessKeyIds: { shape: 'NucleonStringList' },
      createdAt: { shape: 'Timestamp' },
    },
  },
  NucleonUserList: { type: 'list', member: 'NucleonUser' },
  CreateUserInput: {
    type: 'structure',
    required: ['userName', 'role'],
    members: {
      userName: { shape: 'NucleonUserName' },
      role: { shape: 'NucleonRole' },
      password: { shape: 'NucleonPassword' },
    },
  },
  CreateUserOutput: {
    type: 'structure',
    required: ['user'],
    members: { user: { shape: 'NucleonUser' } },
  },
  ListUsersInput: { type: 'structure', members: {} },
  ListUsersOutput: {
    type: 'structure',
    required: ['users'],
    members: { users: { shape: 'NucleonUserList' } },
  },
  DeleteUserInput: {
    type: 'structure',
    required: ['userName'],
    members: { userName: { shape: 'NucleonUserName' } },
  },
  DeleteUserOutput: { type: 'structure', members: {} },
  NucleonGrant: {
    type: 'structure',
    required: ['userName', 'kind', 'pattern'],
    members: {
      userName: { shape: 'NucleonUserName' },
      kind: { shape: 'NucleonGrantKind' },
      pattern: { shape: 'NucleonGrantPattern' },
    },
  },
  NucleonGrantList: { type: 'list', member: 'NucleonGrant' },
  AddGrantInput: {
    type: 'structure',
    required: ['userName', 'kind', 'pattern'],
    members: {
      userName: { shape: 'NucleonUserName' },
      kind: { shape: 'NucleonGrantKind' },
      pattern: { shape: 'NucleonGrantPattern' },
    },
  },
  AddGrantOutput: {
    type: 'structure',
    required: ['grant'],
    members: { grant: { shape: 'NucleonGrant' } },
  },
  RemoveGrantInput: {
    type: 'structure',
    required: ['userName', 'kind', 'pattern'],
    members: {
      userName: { shape: 'NucleonUserName' },
      kind: { shape: 'NucleonGrantKind' },
      pattern: { shape: 'NucleonGrantPattern' },
    },
  },
  RemoveGrantOutput: { type: 'structure', members: {} },
  ListGrantsInput: { type: 'structure', members: { userName: { shape: 'NucleonUserName' } } },
  ListGrantsOutput: {
    type: 'structure',
    required: ['grants'],
    members: { grants: { shape: 'NucleonGrantList' } },
  },
  GetCallerAccessInput: { type: 'structure', members: {} },
  GetCallerAccessOutput: {
    type: 'structure',
    required: ['accessKeyId', 'role', 'root', 'grants', 'actions', 'operations'],
    members: {
      userName: { shape: 'NucleonUserName' },
      accessKeyId: { shape: 'NucleonString' },
      role: { shape: 'NucleonRole' },
      root: { shape: 'NucleonBoolean' },
      grants: { shape: 'NucleonGrantList' },
      actions: { shape: 'NucleonStringList' },
      operations: { shape: 'NucleonStringList' },
      /** The account the caller acts in (ADR 0018). */
      accountId: { shape: 'AwsAccountId' },
    },
  },
  NucleonAuditEvent: {
    type: 'structure',
    required: [
      'id',
      'time',
      'principal',
      'operation',
      'action',
      'resourceArn',
      'outcome',
      'requestId',
    ],
    members: {
      id: { shape: 'NucleonString' },
      time: { shape: 'Timestamp' },
      principal: { shape: 'NucleonString' },
      userName: { shape: 'NucleonString' },
      accessKeyId: { shape: 'NucleonString' },
      operation: { shape: 'NucleonString' },
      action: { shape: 'NucleonString' },
      resourceArn: { shape: 'NucleonString' },
      outcome: { shape: 'NucleonString' },
      errorType: { shape: 'NucleonString' },
      message: { shape: 'NucleonString' },
      requestId: { shape: 'NucleonString' },
      sourceAddress: { shape: 'NucleonString' },
    },
  },
  NucleonAuditEventList: { type: 'list', member: 'NucleonAuditEvent' },
  NucleonMaxResults: { type: 'integer', min: 1, max: 1000 },
  NucleonNextToken: { type: 'string', max: 200 },
  ListAuditEventsInput: {
    type: 'structure',
    members: {
      principal: { shape: 'NucleonString' },
      resourceArn: { shape: 'NucleonString' },
      operation: { shape: 'NucleonString' },
      startTime: { shape: 'Timestamp' },
      endTime: { shape: 'Timestamp' },
      maxResults: { shape: 'NucleonMaxResults' },
      nextToken: { shape: 'NucleonNextToken' },
    },
  },
  ListAuditEventsOutput: {
    type: 'structure',
    required: ['events'],
    members: {
      events: { shape: 'NucleonAuditEventList' },
      nextToken: { shape: 'NucleonNextToken' },
    },
  },
};

const errors = [
  'ValidationException',
  'AccessDeniedException',
  'ConflictException',
  'ResourceNotFoundException',
  'InternalServerException',
];

export const accessOperations = {
  CreateUser: { input: 'CreateUserInput', output: 'CreateUserOutput', errors, idempotent: false },
  ListUsers: { input: 'ListUsersInput', output: 'ListUsersOutput', errors, idempotent: false },
  DeleteUser: { input: 'DeleteUserInput', output: 'DeleteUserOutput', errors, idempotent: true },
  AddGrant: { input: 'AddGrantInput', output: 'AddGrantOutput', errors, idempotent: false },
  RemoveGrant: { input: 'RemoveGrantInput', output: 'RemoveGrantOutput', errors, idempotent: true },
  ListGrants: { input: 'ListGrantsInput', output: 'ListGrantsOutput', errors, idempotent: false },
  GetCallerAccess: {
    input: 'GetCallerAccessInput',
    output: 'GetCallerAccessOutput',
    errors,
    idempotent: false,
  },
  ListAuditEvents: {
    input: 'ListAuditEventsInput',
    output: 'ListAuditEventsOutput',
    errors,
    idempotent: false,
  },
} as const satisfies Record<string, ModelOperation>;

export type NucleonRole = 'admin' | 'platform' | 'developer' | 'read-only';

export interface NucleonUser {
  userName: string;
  role: NucleonRole;
  hasPassword: boolean;
  accessKeyIds: string[];
  createdAt: Date;
}

export interface NucleonGrant {
  userName: string;
  kind: 'template' | 'environment';
  /** A template or environment name; `*` matches any run of characters, `?` one character. */
  pattern: string;
}

/** GetCallerAccess: who the caller is and what it may do (the console hides the rest). */
export interface CallerAccessOutput {
  userName?: string;
  /** '' for a console session opened with a user's password. */
  accessKeyId: string;
  role: NucleonRole;
  root: boolean;
  grants: NucleonGrant[];
  /** Actions (`templates:write`, …) the role allows; grants may narrow them further per resource. */
  actions: string[];
  /** Operation targets (`AwsProton20200720.CreateService`, …) the role allows, before grants. */
  operations: string[];
  /** The account the caller acts in (ADR 0018). */
  accountId?: string;
}

export interface NucleonAuditEvent {
  id: string;
  time: Date;
  /** The user name when the key belongs to one, else the access key id. */
  principal: string;
  userName?: string;
  accessKeyId?: string;
  /** The operation's name without its target prefix (`CreateService`). */
  operation: string;
  /** The action it needed (`services:write`). */
  action: string;
  /** The resource's ARN, or `*` for account-wide calls. */
  resourceArn: string;
  outcome: 'SUCCEEDED' | 'FAILED' | 'DENIED';
  errorType?: string;
  message?: string;
  requestId: string;
  sourceAddress?: string;
}

export interface ListAuditEventsInput {
  principal?: string;
  resourceArn?: string;
  operation?: string;
  startTime?: Date;
  endTime?: Date;
  maxResults?: number;
  nextToken?: string;
}

/** The access-control extension operations, typed like Proton's (for the console). */
export interface AccessShapes {
  CreateUser: {
    input: { userName: string; role: NucleonRole; password?: string };
    output: { user: NucleonUser };
  };
  ListUsers: { input: Record<string, never>; output: { users: NucleonUser[] } };
  DeleteUser: { input: { userName: string }; output: Record<string, never> };
  AddGrant: { input: NucleonGrant; output: { grant: NucleonGrant } };
  RemoveGrant: { input: NucleonGrant; output: Record<string, never> };
  ListGrants: { input: { userName?: string }; output: { grants: NucleonGrant[] } };
  GetCallerAccess: { input: Record<string, never>; output: CallerAccessOutput };
  ListAuditEvents: {
    input: ListAuditEventsInput;
    output: { events: NucleonAuditEvent[]; nextToken?: string };
  };
}
