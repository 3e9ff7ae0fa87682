import {
  deserializeShape,
  extensionOperations,
  extensionTargetPrefix,
  operations,
  targetPrefix,
} from '@nucleon/protocol';
import type {
  AccessShapes,
  Deployment,
  DiscoverProtonResourcesInput,
  DiscoverProtonResourcesOutput,
  NucleonImportResult,
  ProtonImportRequest,
  NucleonAccessKey,
  NucleonRole,
  OperationName,
  OperationShapes,
  Output,
  PutBundleInput,
  PutBundleOutput,
} from '@nucleon/protocol';
import type { FleetShapes } from './fleet-shapes.js';

/** One line of a deployment's log (Nucleon extension). */
export interface DeploymentEvent {
  id: number;
  at: Date;
  kind: string;
  message: string;
}

export interface RenderedFile {
  path: string;
  content: string;
}

/** The Nucleon extension operations the console uses, typed like Proton's. */
export interface ExtensionShapes {
  GetDeploymentDetails: {
    input: { id: string; afterEventId?: number; includeRendered?: boolean };
    output: {
      deployment: Deployment;
      engine?: string;
      operation?: string;
      outputs?: Output[];
      events: DeploymentEvent[];
      renderedFiles?: RenderedFile[];
    };
  };
  PutBundle: { input: PutBundleInput; output: PutBundleOutput };
  CreateAccessKey: {
    input: { description?: string; userName?: string; role?: NucleonRole };
    output: { accessKey: NucleonAccessKey };
  };
  ListAccessKeys: { input: Record<string, never>; output: { accessKeys: NucleonAccessKey[] } };
  DeleteAccessKey: { input: { accessKeyId: string }; output: Record<string, never> };
  ListRollouts: { input: { templateName?: string }; output: { rollouts: ConsoleRollout[] } };
  GetRollout: { input: { rolloutId: string }; output: { rollout: ConsoleRollout } };
  PauseRollout: { input: { rolloutId: string }; output: { rollout: ConsoleRollout } };
  ResumeRollout: { input: { rolloutId: string }; output: { rollout: ConsoleRollout } };
  AbortRollout: { input: { rolloutId: string }; output: { rollout: ConsoleRollout } };
  DiscoverProtonResources: {
    input: DiscoverProtonResourcesInput;
    output: DiscoverProtonResourcesOutput;
  };
  MatchProtonResource: {
    input: ProtonImportRequest;
    output: { results: NucleonImportResult[] };
  };
  AdoptProtonResource: {
    input: ProtonImportRequest;
    output: { results: NucleonImportResult[]; adopted: boolean };
  };
}

/** A rollout as GetRollout / ListRollouts return it (instances only from GetRollout). */
export interface ConsoleRollout {
  rolloutId: string;
  templateName: string;
  targetMajorVersion: string;
  targetMinorVersion: string;
  status: string;
  phase?: string;
  statusMessage?: string;
  currentWave?: number;
  waveCount?: number;
  maxInFlight?: number;
  bakeSeconds?: number;
  failureThreshold?: number;
  autoRollback?: boolean;
  rollbackScope?: string;
  previewHash?: string;
  createdAt?: Date;
  completedAt?: Date;
  instances?: Array<{
    serviceName: string;
    serviceInstanceName: string;
    environmentName: string;
    wave: number;
    state: string;
    previousVersion?: string;
    message?: string;
  }>;
}

export type ExtensionName = keyof ExtensionShapes;

type AllExtensionShapes = ExtensionShapes & AccessShapes & FleetShapes;
type AnyExtensionName = keyof AllExtensionShapes & keyof typeof extensionOperations;

/** The open console session as the server describes it (the secret never comes back). */
export interface SessionInfo {
  /** '' for a session opened with a user name and password. */
  accessKeyId: string;
  /** The user signed in (by password, or owning the key). */
  userName?: string;
  csrfToken: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** An error answered by the server, with its Proton error type (`ValidationException`, …). */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = type;
  }
}

const API = '/console/api';

async function errorOf(response: Response): Promise<ApiError> {
  let body: { __type?: unknown; message?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON (a proxy's error page): fall back to the status line.
  }
  const type = (typeof body.__type === 'string' ? body.__type : 'UnknownError').replace(/^.*#/, '');
  return new ApiError(
    type,
    typeof body.message === 'string' ? body.message : `${response.status} ${response.statusText}`,
    response.status,
  );
}

/**
 * The console's only way to the server: a cookie session opened with an access key, and
 * operations sent to `/console/api/call` with the session's CSRF token. Operations are the
 * public Proton and Nucleon extension operations; answers are decoded with the same model
 * (timestamps become Dates) as the signed client's.
 */
export class ConsoleApi {
  private csrfToken: string | undefined;
  private readonly signedOutListeners = new Set<() => void>();

  /** Called when the server says the session is gone (expired, signed out elsewhere, key deleted). */
  onSignedOut(listener: () => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  /** The session this browser already has (after a reload), or undefined. */
  async currentSession(): Promise<SessionInfo | undefined> {
    const response = await fetch(`${API}/session`, { credentials: 'same-origin' });
    if (!response.ok) throw await errorOf(response);
    const answer = (await response.json()) as
      ({ signedIn: true } & SessionInfo) | { signedIn: false };
    if (!answer.signedIn) return undefined;
    const { signedIn: _, ...session } = answer;
    this.csrfToken = session.csrfToken;
    return session;
  }

  async signIn(accessKeyId: string, secretAccessKey: string): Promise<SessionInfo> {
    return this.openSession({ accessKeyId, secretAccessKey });
  }

  /** Opens a session as a user with a console password (ADR 0012). */
  async signInWithPassword(userName: string, password: string): Promise<SessionInfo> {
    return this.openSession({ userName, password });
  }

  private async openSession(credentials: Record<string, string>): Promise<SessionInfo> {
    const response = await fetch(`${API}/session`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    if (!response.ok) throw await errorOf(response);
    const session = (await response.json()) as SessionInfo;
    this.csrfToken = session.csrfToken;
    return session;
  }

  async signOut(): Promise<void> {
    const response = await fetch(`${API}/session`, {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: this.csrfHeader(),
    });
    this.csrfToken = undefined;
    if (!response.ok && response.status !== 401) throw await errorOf(response);
  }

  /** Calls one Proton operation. */
  async call<Op extends OperationName>(
    operation: Op,
    input: OperationShapes[Op]['input'],
  ): Promise<OperationShapes[Op]['output']> {
    const output = await this.send(`${targetPrefix}.${operation}`, input);
    const shape = operations[operation].output;
    return (shape ? deserializeShape(shape, output) : output) as OperationShapes[Op]['output'];
  }

  /** Calls one Nucleon extension operation. */
  async extension<Op extends AnyExtensionName>(
    operation: Op,
    input: AllExtensionShapes[Op]['input'],
  ): Promise<AllExtensionShapes[Op]['output']> {
    const output = await this.send(`${extensionTargetPrefix}.${operation}`, input);
    return deserializeShape(
      extensionOperations[operation].output,
      output,
    ) as AllExtensionShapes[Op]['output'];
  }

  private csrfHeader(): Record<string, string> {
    return this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {};
  }

  private async send(target: string, input: unknown): Promise<unknown> {
    const response = await fetch(`${API}/call`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...this.csrfHeader() },
      body: JSON.stringify({ target, input: input ?? {} }),
    });
    if (response.ok) return response.json();
    const error = await errorOf(response);
    if (response.status === 401) {
      this.csrfToken = undefined;
      for (const listener of this.signedOutListeners) listener();
    }
    throw error;
  }
}

/** The console's one client. */
export const api = new ConsoleApi();
