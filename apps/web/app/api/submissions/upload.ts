/**
 * Request bodies read as they stream in, never whole: bytes are counted chunk by chunk and reading stops at
 * the limit, so a chunked body with no Content-Length costs no more memory than the limit allows (a JSON body)
 * or than one chunk (an upload, written to disk as it arrives). Uploads land in a staging folder of their own;
 * only a submission that passes every check moves its folder into place.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import Busboy from '@fastify/busboy';
import { FLAT_GRAPH_FILES } from '@sciboard/runs';
import { IntakeError } from './errors.ts';

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * Files an upload may hold: a checkpoint's flat layout, nothing else. Its graph names are the engine's list of
 * graph locations (`FLAT_GRAPH_FILES`), each with its external-data files.
 */
const UPLOAD_NAMES = new RegExp(
  `^(config|generation_config|tokenizer|tokenizer_config|special_tokens_map)\\.json$|^chat_template\\.jinja$|^(${FLAT_GRAPH_FILES.map(literally).join('|')})(_data(_[0-9]+)?|\\.data)?$`,
);

/** Whether an upload may hold a file of this name. */
export function isUploadFileName(name: string): boolean {
  return UPLOAD_NAMES.test(name);
}

/** Room for the form's text fields and part headers on top of the files' own bytes. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

function bodyStream(request: Request): Readable {
  if (!request.body) throw new IntakeError(400, 'body: the request has no body');
  return Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>);
}

const overLimit = (what: string, limit: number) => new IntakeError(413, `${what}: over the limit of ${limit} bytes`);

/** The body as text, refused with 413 as soon as more than `limit` bytes have arrived. */
export async function readBoundedText(request: Request, limit: number, what: string): Promise<string> {
  const source = bodyStream(request);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      source.destroy();
      throw overLimit(what, limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface StagedUpload {
  /** The staging folder holding the uploaded files (remove it when done). */
  dir: string;
  files: string[];
  /** sha256 over the file names and each file's sha256, whatever order they came in. */
  hash: string;
  fields: Record<string, string>;
}

/**
 * Streams a multipart body: text fields kept (each at most 10 kB), files written into a fresh folder under
 * `stagingParent`, every byte counted against `limit`. Any refusal removes the folder before it is reported.
 */
export async function receiveUpload(request: Request, limit: number, stagingParent: string): Promise<StagedUpload> {
  mkdirSync(stagingParent, { recursive: true });
  const dir = mkdtempSync(join(stagingParent, 'upload-'));
  try {
    return await receiveInto(request, limit, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function receiveInto(request: Request, limit: number, dir: string): Promise<StagedUpload> {
  return new Promise((resolve, reject) => {
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: { 'content-type': request.headers.get('content-type') ?? '' },
        limits: { fields: 20, fieldSize: 10_000, files: 20, parts: 40, fileSize: limit + 1 },
      });
    } catch {
      reject(new IntakeError(400, 'body: not valid multipart form data'));
      return;
    }
    let source: Readable;
    try {
      source = bodyStream(request);
    } catch (err) {
      reject(err);
      return;
    }
    const fields: Record<string, string> = {};
    const hashes = new Map<string, string>();
    const writes: Promise<void>[] = [];
    let received = 0;
    let fileBytes = 0;
    let failure: unknown;
    const fail = (err: unknown) => {
      if (failure) return;
      failure = err;
      source.unpipe(parser);
      source.destroy();
      reject(err);
    };

    source.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit + FORM_OVERHEAD_BYTES) fail(overLimit('checkpoint: the upload', limit));
    });
    source.on('error', (err) => fail(failure ?? new IntakeError(400, `body: the upload was cut off (${err.message})`)));

    parser.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated) return fail(new IntakeError(400, `${name}: the field is too long`, name));
      if (value !== '') fields[name] = value;
    });
    parser.on('file', (field: string, stream: Readable, filename: string) => {
      if (failure) return stream.resume();
      if (field !== 'files') {
        stream.resume();
        return fail(new IntakeError(400, `${field}: unknown file field (upload the checkpoint's files under "files")`, field));
      }
      if (!isUploadFileName(filename) || hashes.has(filename)) {
        stream.resume();
        const why = hashes.has(filename) ? 'twice' : 'in the upload (expected config.json, tokenizer.json, model.onnx, …)';
        return fail(new IntakeError(400, `checkpoint: unexpected file ${JSON.stringify(filename)} ${why}`, 'checkpoint'));
      }
      hashes.set(filename, '');
      const hash = createHash('sha256');
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          fileBytes += chunk.length;
          if (fileBytes > limit) return done(overLimit('checkpoint: the upload', limit));
          hash.update(chunk);
          done(null, chunk);
        },
      });
      writes.push(
        pipeline(stream, count, createWriteStream(join(dir, filename), { flags: 'wx' }))
          .then(() => void hashes.set(filename, hash.digest('hex')))
          .catch((err) => fail(err instanceof IntakeError ? err : failure ?? new IntakeError(400, `checkpoint: could not store ${filename} (${(err as Error).message})`))),
      );
    });
    parser.on('error', () => fail(new IntakeError(400, 'body: not valid multipart form data')));
    parser.on('finish', () => {
      void Promise.all(writes).then(() => {
        if (failure) return;
        const files = [...hashes.keys()].sort();
        const hash = createHash('sha256');
        for (const name of files) hash.update(`${name}\u0000${hashes.get(name)}\n`);
        resolve({ dir, files, hash: hash.digest('hex'), fields });
      });
    });
    source.pipe(parser);
  });
}
