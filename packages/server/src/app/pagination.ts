import { createHash } from 'node:crypto';
import { ValidationError } from '@nucleon/core';

/**
 * Opaque continuation tokens (ADR 0029): base64 of `{"k": <last key>, "f": <filter digest>,
 * "c": <check>}`, matching Proton's `^[A-Za-z0-9+=/]+$`. `f` binds the token to the list and the
 * filter (and sort) it was issued for; `c` is a digest over both, so an edited token is refused
 * instead of starting a page somewhere unexpected.
 */
interface TokenBody {
  k: string;
  f: string;
  c: string;
}

const digest = (text: string): string =>
  createHash('sha256').update(text).digest('base64url').slice(0, 16);

/** JSON with object keys sorted, so the same filter always has the same digest. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The digest of one list operation and its filter: what a token is bound to. */
export function filterDigest(list: string, filter: unknown): string {
  return digest(`${list}\u0000${canonical(filter)}`);
}

export function encodeNextToken(lastKey: string, scope: string): string {
  const body: TokenBody = { k: lastKey, f: scope, c: digest(`${scope}\u0000${lastKey}`) };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

export function decodeNextToken(token: string | undefined, scope: string): string | undefined {
  if (token === undefined) return undefined;
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw invalidNextToken();
  }
  if (
    typeof body?.k !== 'string' ||
    typeof body.f !== 'string' ||
    typeof body.c !== 'string' ||
    body.c !== digest(`${body.f}\u0000${body.k}`)
  )
    throw invalidNextToken();
  if (body.f !== scope) throw tokenOfAnotherFilter();
  return body.k;
}

export function invalidNextToken(): ValidationError {
  return new ValidationError(
    'The nextToken is invalid: pass the nextToken from the previous response unchanged, or omit it to start from the beginning.',
  );
}

function tokenOfAnotherFilter(): ValidationError {
  return new ValidationError(
    'The nextToken is invalid for this request: it was issued for another list, filter or sort order. Repeat the request that returned it with the same filters, or omit nextToken to start from the beginning.',
  );
}

/** Proton's default page size is 100 when maxResults is omitted (the model bounds it to 1–100). */
export function pageSize(maxResults: number | undefined): number {
  return maxResults ?? 100;
}

/** What a List operation asks for: where to continue and how many. */
export interface PageRequest {
  nextToken?: string | undefined;
  maxResults?: number | undefined;
}

/**
 * One page of one List operation over one filter. `after` is the decoded token's key (rows
 * strictly after it are read), `limit` is one more than the page holds: the extra row only says
 * that another page follows. `page` cuts the rows read that way into the answer, with a token
 * naming the last key returned, so rows inserted or deleted between pages neither shift nor repeat
 * the ones that follow.
 */
export class Pager {
  readonly after: string | undefined;
  readonly size: number;
  private readonly scope: string;

  constructor(list: string, filter: unknown, request: PageRequest) {
    this.scope = filterDigest(list, filter);
    this.after = decodeNextToken(request.nextToken, this.scope);
    this.size = pageSize(request.maxResults);
  }

  get limit(): number {
    return this.size + 1;
  }

  /** The SQL window: rows after the token's key, one more than the page holds. */
  get window(): { after?: string; limit: number } {
    return this.after === undefined
      ? { limit: this.limit }
      : { after: this.after, limit: this.limit };
  }

  page<T>(rows: readonly T[], keyOf: (item: T) => string): { items: T[]; nextToken?: string } {
    const items = rows.slice(0, this.size);
    const last = items[items.length - 1];
    return rows.length > this.size && last !== undefined
      ? { items, nextToken: encodeNextToken(keyOf(last), this.scope) }
      : { items };
  }

  /** Decodes a composite key written by `jsonKey`; a malformed one is an invalid token. */
  afterParts(count: number): string[] | undefined {
    if (this.after === undefined) return undefined;
    try {
      const parts = JSON.parse(this.after) as unknown;
      if (
        Array.isArray(parts) &&
        parts.length === count &&
        parts.every((p) => typeof p === 'string')
      )
        return parts;
    } catch {
      // fall through
    }
    throw invalidNextToken();
  }
}

/** A composite keyset key (several columns), as one string for the token. */
export const jsonKey = (...parts: string[]): string => JSON.stringify(parts);
