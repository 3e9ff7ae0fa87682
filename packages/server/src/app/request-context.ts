/** Who is calling and on whose behalf, as established by the HTTP layer. */
export interface Principal {
  accessKeyId: string;
  /**
   * 'admin': an access key whose role access control resolves (a key with no user and no role is
   * an admin); 'user': a console session opened with a user's password (accessKeyId is '');
   * 'scoped': temporary deployment keys, scoped to one resource.
   */
  kind: 'admin' | 'user' | 'scoped';
  scopeArn?: string | undefined;
  /** The user signed in with a password ('user' principals). */
  userName?: string | undefined;
  /**
   * The account the principal acts in (ADR 0018); unset: the installation's own. Principals of
   * another account reach only environment account connections.
   */
  accountId?: string | undefined;
}

export interface RequestContext {
  requestId: string;
  principal: Principal;
}
