/**
 * Reading request bodies within a size limit. The body is read as a stream
 * and reading stops as soon as the limit is passed, so a client cannot make
 * the server buffer more than the limit; a gzip body is held to the same
 * limit after decompression (a small bomb cannot expand past it).
 */
import { gunzip } from 'node:zlib';
import { HttpError } from './http';

function tooLarge(limit: number, what: string): HttpError {
  return new HttpError(413, { error: `${what} is larger than the limit of ${limit} bytes (PODNET_MAX_BODY_BYTES)` });
}

/** Reads the raw body bytes, refusing (413) beyond `limit`. */
export async function readLimited(request: Request, limit: number): Promise<Buffer> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit, 'the request body');
  if (request.body === null) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit, 'the request body');
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}

function gunzipLimited(data: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(data, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return reject(tooLarge(limit, 'the decompressed body'));
      reject(new HttpError(400, { error: `the body is not valid gzip: ${err.message}` }));
    });
  });
}

/**
 * Reads the body and undoes `Content-Encoding: gzip`; any other encoding is
 * refused with 415 rather than stored as if it were plain text.
 */
export async function readDecodedBody(request: Request, limit: number): Promise<Buffer> {
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== '') {
    throw new HttpError(415, { error: `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported; send gzip or no encoding` });
  }
  const raw = await readLimited(request, limit);
  return encoding === 'gzip' || encoding === 'x-gzip' ? gunzipLimited(raw, limit) : raw;
}

/** Decodes UTF-8 strictly enough to refuse binary uploads with a clear message. */
export function utf8(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new HttpError(400, { error: 'the body is not UTF-8 text' });
  }
}

/** The media type of a request, lower-cased, without parameters. */
export function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}
