import {
  AccessDeniedError,
  ConflictError,
  NotFoundError,
  ValidationError,
  isRole,
  type Grant,
  type GrantKind,
  type Role,
} from '@nucleon/core';
import type { AccessKeyRecord } from '../../ports/access-key-store.js';
import type { UserRecord, UserStore } from '../../ports/user-store.js';
import type { AccessKeysService } from '../access-keys-service.js';
import type { Principal } from '../request-context.js';

/** What a (non-scoped) caller is: who, with which role and grants. */
export interface CallerAccess {
  userName: string | null;
  accessKeyId: string;
  role: Role;
  root: boolean;
  grants: Grant[];
  /** The account the caller acts in: its key's account, else the installation's (ADR 0018). */
  accountId: string;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, encoded: string): Promise<boolean>;
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const GRANT_PATTERN = /^[A-Za-z0-9*?][A-Za-z0-9_*?-]{0,99}$/;

/**
 * Users, their grants and keys, and what a caller may be. A key's role is its own, else its
 * user's; a key with neither (every key made before roles existed) is an admin. Root keys are
 * always admins and only NUCLEON_ROOT_* (or a restart without it) changes them.
 */
export class AccessControlService {
  constructor(
    private readonly d: {
      users: UserStore;
      keys: AccessKeysService;
      passwords: PasswordHasher;
      /** The installation's own account: users and keys without an account act in it. */
      accountId: string;
      /** Called with the key ids that stopped working (to end their console sessions). */
      onKeysDeleted?: (ids: string[]) => void;
    },
  ) {}

  /** The caller's role and grants, read fresh on every call (role and grant changes apply at once). */
  async callerAccess(principal: Principal): Promise<CallerAccess> {
    if (principal.kind === 'user') {
      const user = await this.d.users.get(principal.userName ?? '');
      if (!user)
        throw new AccessDeniedError(
          `The user ${principal.userName ?? ''} no longer exists. Sign in again.`,
        );
      return {
        userName: user.name,
        accessKeyId: '',
        role: user.role,
        root: false,
        grants: await this.d.users.grantsOf(user.name),
        accountId: this.d.accountId,
      };
    }
    const record = await this.d.keys.lookup(principal.accessKeyId);
    if (!record)
      throw new AccessDeniedError(`The access key ${principal.accessKeyId} no longer exists.`);
    return this.accessOfKey(record);
  }

  private async accessOfKey(record: AccessKeyRecord): Promise<CallerAccess> {
    const base = {
      accessKeyId: record.accessKeyId,
      root: record.isRoot,
      accountId: record.accountId ?? this.d.accountId,
    };
    if (record.isRoot) return { ...base, userName: null, role: 'admin', grants: [] };
    const user = record.userName ? await this.d.users.get(record.userName) : undefined;
    if (record.userName && !user)
      throw new AccessDeniedError(
        `The user ${record.userName} of access key ${record.accessKeyId} no longer exists.`,
      );
    const role = (isRole(record.role) ? record.role : undefined) ?? user?.role ?? 'admin';
    return {
      ...base,
      userName: user?.name ?? null,
      role,
      grants: user ? await this.d.users.grantsOf(user.name) : [],
    };
  }

  /** A user signing in to the console with a password, or undefined (same work whether or not the user exists). */
  async checkPassword(userName: string, password: string): Promise<UserRecord | undefined> {
    const user = await this.d.users.get(userName);
    const encoded =
      user?.passwordHash ??
      'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const ok = await this.d.passwords.verify(password, encoded);
    return ok && user?.passwordHash ? user : undefined;
  }

  async userExists(userName: string): Promise<boolean> {
    return (await this.d.users.get(userName)) !== undefined;
  }

  async createUser(input: { userName: string; role: string; password?: string | undefined }) {
    if (!USER_NAME.test(input.userName)) {
      throw new ValidationError(
        `userName "${input.userName}" is not valid: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.`,
      );
    }
    const role = requireRole(input.role);
    if (input.password !== undefined && input.password.length < 12)
      throw new ValidationError('password must be at least 12 characters long.');
    const passwordHash =
      input.password === undefined ? null : await this.d.passwords.hash(input.password);
    if (!(await this.d.users.insert({ name: input.userName, role, passwordHash }))) {
      throw new ConflictError(
        `A user named ${input.userName} already exists. Delete it first or pick another name.`,
      );
    }
    return this.userView((await this.d.users.get(input.userName))!);
  }

  async listUsers() {
    return Promise.all((await this.d.users.list()).map((u) => this.userView(u)));
  }

  async deleteUser(userName: string, caller: Principal) {
    const access = await this.callerAccess(caller);
    if (access.userName === userName)
      throw new ValidationError(
        'You cannot delete the user you are signed in as. Use another admin.',
      );
    const deletedKeys = await this.d.users.delete(userName);
    if (!deletedKeys)
      throw new NotFoundError(`No user ${userName}. Run \`nucleon users list\` to see the users.`);
    this.d.keys.forget(deletedKeys);
    this.d.onKeysDeleted?.(deletedKeys);
  }

  async addGrant(userName: string, grant: { kind: string; pattern: string }) {
    const parsed = await this.requireGrant(userName, grant);
    if (!(await this.d.users.addGrant(userName, parsed)))
      throw new ConflictError(
        `${userName} already has the ${parsed.kind} grant ${parsed.pattern}.`,
      );
    return parsed;
  }

  async removeGrant(userName: string, grant: { kind: string; pattern: string }) {
    const parsed = await this.requireGrant(userName, grant);
    if (!(await this.d.users.removeGrant(userName, parsed))) {
      throw new NotFoundError(
        `${userName} has no ${parsed.kind} grant ${parsed.pattern}. Run \`nucleon grants list --user ${userName}\`.`,
      );
    }
  }

  async listGrants(userName: string | undefined) {
    const users = userName ? [await this.requireUser(userName)] : await this.d.users.list();
    const out: Array<{ userName: string; kind: GrantKind; pattern: string }> = [];
    for (const u of users)
      for (const g of await this.d.users.grantsOf(u.name)) out.push({ userName: u.name, ...g });
    return out;
  }

  async createKey(input: {
    description?: string | undefined;
    userName?: string | undefined;
    role?: string | undefined;
    accountId?: string | undefined;
  }) {
    if (input.userName) await this.requireUser(input.userName);
    const role = input.role === undefined ? null : requireRole(input.role);
    if (input.accountId !== undefined && !/^\d{12}$/.test(input.accountId))
      throw new ValidationError(
        `accountId "${input.accountId}" is not an account id: use 12 digits, such as 210987654321.`,
      );
    if (input.userName && input.accountId && input.accountId !== this.d.accountId)
      throw new ValidationError(
        `A key of user ${input.userName} acts in the installation's account ${this.d.accountId}: users belong to it. Create the key for account ${input.accountId} without a user.`,
      );
    return this.d.keys.create(input.description ?? null, false, undefined, {
      userName: input.userName ?? null,
      role,
      // The installation's own account is stored as null: such a key is like every key before accounts.
      accountId: input.accountId === this.d.accountId ? null : (input.accountId ?? null),
    });
  }

  async listKeys() {
    const users = new Map((await this.d.users.list()).map((u) => [u.name, u.role]));
    return (await this.d.keys.list()).map((k) => ({
      ...k,
      accountId: k.accountId ?? this.d.accountId,
      effectiveRole: k.isRoot
        ? 'admin'
        : ((isRole(k.role) ? k.role : undefined) ??
          (k.userName ? users.get(k.userName) : undefined) ??
          'admin'),
    }));
  }

  /** Deletes a key; root keys and the caller's own key cannot be deleted through the API. */
  async deleteKey(accessKeyId: string, caller: Principal) {
    if (accessKeyId === caller.accessKeyId)
      throw new ValidationError(
        'You cannot delete the access key you are signing this request with. Use another key.',
      );
    const record = await this.d.keys.lookup(accessKeyId);
    if (record?.isRoot) {
      throw new AccessDeniedError(
        `The root key ${accessKeyId} cannot be deleted through the API (action access:write on nucleon-access-key/${accessKeyId}). Change NUCLEON_ROOT_ACCESS_KEY_ID / NUCLEON_ROOT_SECRET_ACCESS_KEY and restart to replace it.`,
      );
    }
    await this.d.keys.delete(accessKeyId);
    this.d.onKeysDeleted?.([accessKeyId]);
  }

  private async requireUser(userName: string): Promise<UserRecord> {
    const user = await this.d.users.get(userName);
    if (!user)
      throw new NotFoundError(
        `No user ${userName}. Create it with \`nucleon users create ${userName} --role <role>\`.`,
      );
    return user;
  }

  private async requireGrant(
    userName: string,
    grant: { kind: string; pattern: string },
  ): Promise<Grant> {
    await this.requireUser(userName);
    if (grant.kind !== 'template' && grant.kind !== 'environment')
      throw new ValidationError(`kind must be template or environment, not ${grant.kind}.`);
    if (!GRANT_PATTERN.test(grant.pattern)) {
      throw new ValidationError(
        `pattern "${grant.pattern}" is not valid: a template or environment name, where * matches any run of characters and ? one character.`,
      );
    }
    return { kind: grant.kind, pattern: grant.pattern };
  }

  private async userView(u: UserRecord) {
    const keys = (await this.d.keys.list())
      .filter((k) => k.userName === u.name)
      .map((k) => k.accessKeyId);
    return {
      userName: u.name,
      role: u.role,
      hasPassword: u.passwordHash !== null,
      accessKeyIds: keys,
      createdAt: u.createdAt,
    };
  }
}

function requireRole(role: string): Role {
  if (!isRole(role))
    throw new ValidationError(
      `role must be one of admin, platform, developer, read-only; not "${role}".`,
    );
  return role;
}
