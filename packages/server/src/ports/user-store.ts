import type { Grant, Role } from '@nucleon/core';

export interface UserRecord {
  name: string;
  role: Role;
  /** Encoded scrypt hash, or null when the user has no console password. */
  passwordHash: string | null;
  createdAt: Date;
}

/** Users and the grants that narrow their roles. */
export interface UserStore {
  get(name: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /** False when the name is taken. */
  insert(user: Omit<UserRecord, 'createdAt'>): Promise<boolean>;
  /** Deletes the user with its grants and access keys; returns the deleted key ids, or undefined if no such user. */
  delete(name: string): Promise<string[] | undefined>;
  grantsOf(name: string): Promise<Grant[]>;
  /** False when the grant already exists. */
  addGrant(name: string, grant: Grant): Promise<boolean>;
  /** False when there was no such grant. */
  removeGrant(name: string, grant: Grant): Promise<boolean>;
}
