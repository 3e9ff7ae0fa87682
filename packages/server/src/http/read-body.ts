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

/**
 * The same for a Node request stream (the API's own route, which skips the web-stream wrapper):
 * resolves with the whole body, or rejects with the 413 as soon as it passes `limit` bytes.
 */
export function readBoundedIncoming(
  incoming: NodeJS.ReadableStream & { readableEnded?: boolean },
  declaredLength: string | undefined,
  limit: number,
  hint: string,
): Promise<Uint8Array> {
  const tooLarge = () =>
    new ProtocolError(
      'RequestEntityTooLargeException',
      413,
      `The request body is larger than the ${limit}-byte limit. ${hint}`,
    );
  if (declaredLength !== undefined && Number(declaredLength) > limit)
    return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (error?: Error) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', done);
      incoming.off('close', onClose);
      if (error) reject(error);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        done(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onClose = () => {
      if (incoming.readableEnded) onEnd();
      else done(new ProtocolError('SerializationException', 400, 'The request body ended early.'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', done);
    incoming.on('close', onClose);
  });
}
