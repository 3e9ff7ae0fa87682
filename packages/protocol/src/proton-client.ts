import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { operations, signingName, targetPrefix } from './generated/model.js';
import type { OperationName } from './generated/model.js';
import type { OperationShapes } from './generated/types.js';
import { deserializeShape } from './serialize-output.js';

export interface ProtonClientOptions {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Extra operations (Nucleon extensions) by target prefix; defaults to Proton's. */
  fetch?: typeof fetch;
}

/** An error answered by the server, carrying the Proton error type. */
export class ProtonApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode: number,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * A small signed awsJson1_0 client used by the nucleon CLI and console. It speaks to any
 * Proton-compatible endpoint exactly as the AWS SDKs do (SigV4, signing name `proton`).
 */
export class ProtonClient {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(private readonly options: ProtonClientOptions) {
    this.url = new URL(options.endpoint);
    this.signer = new SignatureV4({
      credentials: options.credentials,
      region: options.region,
      service: signingName,
      sha256: Sha256,
    });
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

  /** Sends one request to any target (Proton or a Nucleon extension) and returns the JSON body. */
  async send(target: string, input: unknown): Promise<unknown> {
    const body = JSON.stringify(input ?? {});
    const request = new HttpRequest({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path: '/',
      headers: {
        host: this.url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': target,
      },
      body,
    });
    const signed = await this.signer.sign(request);
    const doFetch = this.options.fetch ?? fetch;
    const response = await doFetch(new URL('/', this.url), {
      method: 'POST',
      headers: signed.headers,
      body,
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const rawType =
        str(json.__type) ?? response.headers.get('x-amzn-errortype') ?? 'UnknownError';
      const type = rawType.replace(/^.*#/, '').replace(/:.*$/, '');
      const message = str(json.message) ?? str(json.Message) ?? response.statusText;
      throw new ProtonApiError(
        type,
        message,
        response.status,
        response.headers.get('x-amzn-requestid') ?? undefined,
      );
    }
    return json;
  }
}
