import { randomUUID } from 'node:crypto';
import type { Logger } from '@nucleon/core';
import { ValidationError } from '@nucleon/core';
import {
  checkOutputShape,
  extensionTargetPrefix,
  formatViolations,
  operationNames,
  serializeShape,
  targetPrefix,
  validateShape,
} from '@nucleon/protocol';
import type { Principal } from '../app/request-context.js';
import type { Span, Tracer } from '../ports/tracer.js';
import type { AccessGuard, Authorized } from './access-guard.js';
import { ProtocolError, toWireError } from './error-mapper.js';
import type { OperationRegistry } from './operation-registry.js';
import { parseTraceparent } from './traceparent.js';

/** One decoded call: its target, who makes it, and its JSON input. */
export interface OperationCall {
  target: string | undefined;
  /** Resolved once the target is known, so an unknown operation is refused before authentication. */
  principal(): Promise<Principal>;
  /** The awsJson1_0 request bytes, or an input a front already decoded from JSON (the console's). */
  input: unknown;
}

/** What the dispatcher needs of the HTTP request in front of it, whatever serves it. */
export interface CallEdge {
  /** A request header by its lower-case name. */
  header(name: string): string | undefined;
  sourceAddress(): string | null;
}

/** One call's awsJson1_0 answer, to be written by the front that received it. */
export interface CallAnswer {
  status: number;
  /** The JSON text of the body. */
  body: string;
  requestId: string;
  /** Set on errors (the `x-amzn-errortype` header). */
  errorType?: string;
}

export interface DispatcherOptions {
  operations: OperationRegistry;
  logger: Logger;
  /** Authorization and audit of every call (see operation-access.ts). */
  guard: AccessGuard;
  /** Every API call's operation (`unknown` for an unknown target), outcome and duration. */
  observe?(operation: string, outcome: string, seconds: number): void;
  /** A SERVER span per API call (continuing a `traceparent`); absent: tracing is off. */
  tracer?: Tracer | undefined;
  /**
   * Check every output against the model strictly (NUCLEON_STRICT_WIRE, on in the tests): a
   * mismatch answers 500 InternalServerException naming it, instead of a member dropped silently.
   * Off in production: the check walks the whole output once more.
   */
  strictWire?: boolean;
}

const protonOperations = new Set<string>(operationNames);

function resolveTarget(target: string | undefined, operations: OperationRegistry) {
  if (!target)
    throw new ProtocolError(
      'UnknownOperationException',
      400,
      'The X-Amz-Target header is missing: send AwsProton20200720.<Operation>.',
    );
  const entry = operations.get(target);
  if (entry) return entry;
  const [prefix, name] = target.split('.', 2);
  if (prefix === targetPrefix && name && protonOperations.has(name)) {
    throw new ProtocolError(
      'NotImplementedException',
      501,
      `${name} is a Proton operation that Nucleon does not implement yet. See the README's list of supported operations.`,
    );
  }
  if (prefix !== targetPrefix && prefix !== extensionTargetPrefix) {
    throw new ProtocolError(
      'UnknownOperationException',
      400,
      `Unknown target prefix in X-Amz-Target "${target}": expected ${targetPrefix}.<Operation> or ${extensionTargetPrefix}.<Operation>.`,
    );
  }
  throw new ProtocolError(
    'UnknownOperationException',
    400,
    `Unknown operation ${name ?? ''} in X-Amz-Target "${target}".`,
  );
}

/** Decodes a JSON object body; anything else is a SerializationException. */
export function parseJson(body: unknown): Record<string, unknown> {
  if (body instanceof Uint8Array && body.byteLength === 0) return {};
  let parsed: unknown = body;
  try {
    if (body instanceof Uint8Array) parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new ProtocolError(
      'SerializationException',
      400,
      `The request body is not valid JSON: ${(error as Error).message}.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError(
      'SerializationException',
      400,
      'The request body must be a JSON object.',
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Answers one call: the same registry, access check, validation, serialization and error mapping
 * for every front (the signed API on Node, the Hono route, the console's session calls). `decode`
 * runs inside the error mapping. Never rejects.
 */
export function createCallAnswerer(
  options: DispatcherOptions,
): (edge: CallEdge, decode: () => Promise<OperationCall>) => Promise<CallAnswer> {
  // The short operation name of each known target, computed once.
  const shortNames = new Map<string, string>();
  for (const target of options.operations.keys())
    shortNames.set(target, target.slice(target.indexOf('.') + 1));
  const operationOf = (target: string | undefined) =>
    (target && shortNames.get(target)) ?? 'unknown';
  const tracer = options.tracer;
  const log = options.logger;
  const endSpan = (
    span: Span,
    target: string | undefined,
    status: number,
    error?: { type: string; message: string },
  ) => {
    const operation = operationOf(target);
    span.setName(operation);
    span.setAttribute('rpc.method', operation);
    if (operation !== 'unknown') span.setAttribute('rpc.service', target!.split('.', 1)[0]!);
    span.setAttribute('http.response.status_code', status);
    span.setAttribute('nucleon.outcome', error ? error.type : 'Success');
    if (error) {
      span.setAttribute('error.type', error.type);
      span.fail(`${error.type}: ${error.message}`);
    }
    span.end();
  };
  return async (edge, decode) => {
    const requestId = randomUUID();
    const started = performance.now();
    let target = edge.header('x-amz-target');
    const span = tracer?.startSpan('unknown', {
      kind: 'server',
      parent: parseTraceparent(edge.header('traceparent')),
      attributes: { 'rpc.system': 'aws-api', 'aws.request_id': requestId },
    });
    let authorized: Authorized | undefined;
    try {
      const call = await decode();
      target = call.target;
      const entry = resolveTarget(target, options.operations);
      const principal = await call.principal();
      const raw = parseJson(call.input);
      // The one access check, before the use case runs (denials and mutating calls are audited).
      authorized = await options.guard.authorize({
        target: target!,
        principal,
        input: raw,
        requestId,
        sourceAddress: edge.sourceAddress(),
        allowScoped: entry.allowScoped === true,
      });
      let input: Record<string, unknown> = {};
      if (entry.input) {
        const { value, violations } = validateShape(entry.input, raw);
        if (violations.length > 0) throw new ValidationError(formatViolations(violations));
        input = value as Record<string, unknown>;
      }
      const result = await entry.handler(input, { requestId, principal });
      if (options.strictWire && entry.output) {
        const mismatches = checkOutputShape(entry.output, result ?? {});
        if (mismatches.length > 0)
          throw new ProtocolError(
            'InternalServerException',
            500,
            `The output of ${target} does not match the model (strict wire): ${mismatches.join('; ')}`,
          );
      }
      const wire = entry.output ? serializeShape(entry.output, result ?? {}) : {};
      await authorized.finish('SUCCEEDED');
      // No per-request child logger: the request id is a field of the record.
      log.info('request', {
        requestId,
        target,
        status: 200,
        ms: Math.round(performance.now() - started),
      });
      options.observe?.(operationOf(target), 'Success', (performance.now() - started) / 1000);
      if (span) endSpan(span, target, 200);
      return { status: 200, body: JSON.stringify(wire ?? {}), requestId };
    } catch (thrown) {
      const e = toWireError(thrown, requestId, log);
      await authorized?.finish('FAILED', e.type, e.message);
      log.info('request', {
        requestId,
        target,
        status: e.status,
        error: e.type,
        ms: Math.round(performance.now() - started),
      });
      options.observe?.(operationOf(target), e.type, (performance.now() - started) / 1000);
      if (span) endSpan(span, target, e.status, e);
      return {
        status: e.status,
        body: JSON.stringify({ __type: e.type, message: e.message }),
        requestId,
        errorType: e.type,
      };
    }
  };
}
