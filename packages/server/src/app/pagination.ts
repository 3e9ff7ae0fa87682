import { ValidationError } from '@nucleon/core';

/** Opaque continuation tokens: base64 of the last sort key, matching `^[A-Za-z0-9+=/]+$`. */
export function encodeNextToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64');
}

export function decodeNextToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through
  }
  throw invalidNextToken();
}

export function invalidNextToken(): ValidationError {
  return new ValidationError(
    'The nextToken is invalid: pass the nextToken from the previous response unchanged, or omit it to start from the beginning.',
  );
}

/** Proton's default page size is 100 when maxResults is omitted. */
export function pageSize(maxResults: number | undefined): number {
  return maxResults ?? 100;
}

/** Slices an in-memory, sorted list into one page. */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  nextToken: string | undefined,
  maxResults: number | undefined,
): { items: T[]; nextToken?: string } {
  const after = decodeNextToken(nextToken);
  const start = after === undefined ? 0 : items.findIndex((i) => keyOf(i) > after);
  const from = start < 0 ? items.length : start;
  const size = pageSize(maxResults);
  const page = items.slice(from, from + size);
  const last = page[page.length - 1];
  return from + size < items.length && last !== undefined
    ? { items: page, nextToken: encodeNextToken(keyOf(last)) }
    : { items: page };
}

/**
 * Turns rows read with `LIMIT size + 1` after the decoded token's key into one page: the extra row
 * only says that another page follows; the token names the last key returned, so rows inserted or
 * deleted between pages neither shift nor repeat the ones that follow.
 */
export function keysetPage<T>(
  rows: readonly T[],
  keyOf: (item: T) => string,
  maxResults: number | undefined,
): { items: T[]; nextToken?: string } {
  const size = pageSize(maxResults);
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return rows.length > size && last !== undefined
    ? { items, nextToken: encodeNextToken(keyOf(last)) }
    : { items };
}

/** The SQL window for one page: rows after the token's key, one more than the page holds. */
export function keysetWindow(
  nextToken: string | undefined,
  maxResults: number | undefined,
): { after?: string; limit: number } {
  const after = decodeNextToken(nextToken);
  const limit = pageSize(maxResults) + 1;
  return after === undefined ? { limit } : { after, limit };
}
