import { ProtocolError } from './error-mapper.js';

/** Reads a request body, refusing it as soon as it passes `limit` bytes. */
export async function readBoundedBody(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: string | undefined,
  limit: number,
  hint = 'Send bundles with `nucleon bundle push` or raise NUCLEON_MAX_REQUEST_BYTES.',
): Promise<Uint8Array> {
  const tooLarge = () =>
    new ProtocolError(
      'RequestEntityTooLargeException',
      413,
      `The request body is larger than the ${limit}-byte limit. ${hint}`,
    );
  if (declaredLength !== undefined && Number(declaredLength) > limit) throw tooLarge();
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
