/** Who is calling and on whose behalf, as established by the HTTP layer. */
export interface Principal {
  accessKeyId: string;
  /** Root and user keys are admins; temporary deployment keys are scoped to one resource. */
  kind: 'admin' | 'scoped';
  scopeArn?: string | undefined;
}

export interface RequestContext {
  requestId: string;
  principal: Principal;
}
