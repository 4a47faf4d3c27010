/**
 * Where a submission may make the server read. A site takes checkpoint folders and suite files under its
 * model roots only; every file it will open for them (the checkpoint's files, the graph's external weights,
 * a suite's data files) must still lie under those roots once symlinks are resolved. Messages name paths,
 * never file contents.
 */
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { taskSpecDataFiles } from '@sciboard/eval';
import { SubmissionError } from './checkpoint.ts';

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realRoots(roots: string[]): string[] {
  return roots.map((root) => {
    try {
      return realpathSync(root);
    } catch {
      return resolve(root);
    }
  });
}

/** The real path of `path` when it exists and lies under one of `roots` after symlinks; undefined otherwise. */
export function realPathInside(roots: string[], path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  return realRoots(roots).some((root) => isInside(root, real)) ? real : undefined;
}

/**
 * The real path of `given` (absolute, or relative to one of the roots) if it exists under a root once symlinks
 * are resolved. A path that is missing and one that exists outside the roots get the same answer, so the answer
 * reveals nothing about the server's files.
 */
export function confinePath(given: string, roots: string[], field = 'checkpoint'): string {
  if (roots.length === 0) throw new SubmissionError(`${field}: this site accepts no checkpoint paths (SCIBOARD_MODEL_ROOTS is not set)`, field);
  if (given.split(/[\\/]/).includes('..')) throw new SubmissionError(`${field}: "${given}" must not contain ".." segments`, field);
  const candidates = isAbsolute(given) ? [resolve(given)] : roots.map((r) => resolve(r, given));
  for (const candidate of candidates) {
    const real = realPathInside(roots, candidate);
    if (real) return real;
  }
  throw new SubmissionError(`${field}: "${given}" is not a path under the allowed model roots`, field);
}

/**
 * Every entry of a checkpoint folder (files, folders, symlinks, at any depth) resolves under the roots, and so
 * does every external weights file its ONNX graphs name. A dangling symlink is refused too: the loader would
 * fail on it later with a less useful message.
 */
export function confineCheckpoint(dir: string, roots: string[]): void {
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const shown = relative(dir, path);
      const real = realPathInside(roots, path);
      if (!real) throw new SubmissionError(`checkpoint: ${shown} leads outside the allowed model roots (or nowhere)`, 'checkpoint');
      if (lstatSync(real).isDirectory()) walk(path);
      else if (/\.onnx$/i.test(entry.name)) {
        for (const location of graphExternalLocations(real)) {
          if (!realPathInside(roots, resolve(dirname(path), location)) || isAbsolute(location)) {
            throw new SubmissionError(
              `checkpoint: ${shown} names external weights ${JSON.stringify(location)}, which is not a file beside it under the allowed model roots`,
              'checkpoint',
            );
          }
        }
      }
    }
  };
  walk(dir);
}

/** A suite file's data files exist and lie under the roots. */
export function confineSpecData(spec: string, roots: string[]): void {
  let files: string[];
  try {
    files = taskSpecDataFiles(spec);
  } catch (err) {
    throw new SubmissionError(`tasks: cannot read suite ${spec}: ${(err as Error).message}`, 'tasks');
  }
  for (const file of files) {
    if (!realPathInside(roots, file)) {
      throw new SubmissionError(`tasks: suite ${spec} names a data file that is not a file under the allowed model roots`, 'tasks');
    }
  }
}

/**
 * Reads a file's bytes at any offset through one reusable block, so walking a graph's structure skips its
 * inline weights without loading them.
 */
class BlockReader {
  private block = Buffer.alloc(1 << 16);
  private start = 0;
  private length = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  byte(at: number): number {
    if (at < this.start || at >= this.start + this.length) {
      this.start = at;
      this.length = readSync(this.fd, this.block, 0, this.block.length, at);
      if (this.length === 0) throw new Error('unexpected end of file');
    }
    return this.block[at - this.start]!;
  }

  bytes(at: number, n: number): Buffer {
    const out = Buffer.alloc(n);
    if (n > 0 && readSync(this.fd, out, 0, n, at) !== n) throw new Error('unexpected end of file');
    return out;
  }

  varint(at: number): [value: number, next: number] {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(at + i);
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return [value, at + i + 1];
    }
    throw new Error('malformed varint');
  }
}

/** Protocol-buffer fields of interest, by message: field number → the message type it holds. */
const NESTED: Record<string, Record<number, string>> = {
  model: { 7: 'graph', 25: 'function' },
  function: { 7: 'node' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  node: { 5: 'attribute' },
  attribute: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph', 22: 'sparse', 23: 'sparse' },
  sparse: { 1: 'tensor', 2: 'tensor' },
  tensor: { 13: 'entry' },
  entry: {},
};

/**
 * The `location` of every external-data entry in an ONNX file (initializers, sparse initializers, tensors in
 * node attributes, subgraphs and functions), found by walking the protobuf wire format.
 */
export function graphExternalLocations(onnxPath: string): string[] {
  const fd = openSync(onnxPath, 'r');
  const found = new Set<string>();
  try {
    const reader = new BlockReader(fd, fstatSync(fd).size);
    const walk = (type: string, from: number, to: number): { key?: string; value?: string } => {
      const entry: { key?: string; value?: string } = {};
      let at = from;
      while (at < to) {
        const [tag, afterTag] = reader.varint(at);
        const field = Math.floor(tag / 8);
        const wire = tag % 8;
        if (wire === 0) at = reader.varint(afterTag)[1];
        else if (wire === 1) at = afterTag + 8;
        else if (wire === 5) at = afterTag + 4;
        else if (wire === 2) {
          const [length, start] = reader.varint(afterTag);
          at = start + length;
          if (at > to) throw new Error('a field runs past its message');
          const inner = NESTED[type]![field];
          if (type === 'entry' && (field === 1 || field === 2)) entry[field === 1 ? 'key' : 'value'] = reader.bytes(start, length).toString('utf8');
          else if (inner === 'entry') {
            const kv = walk('entry', start, at);
            if (kv.key === 'location' && kv.value !== undefined) found.add(kv.value);
          } else if (inner) walk(inner, start, at);
        } else throw new Error(`unsupported wire type ${wire}`);
      }
      return entry;
    };
    walk('model', 0, reader.size);
  } catch (err) {
    throw new SubmissionError(`checkpoint: ${onnxPath} is not a readable ONNX file (${(err as Error).message})`, 'checkpoint');
  } finally {
    closeSync(fd);
  }
  return [...found];
}
