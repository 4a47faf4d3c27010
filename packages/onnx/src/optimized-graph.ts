import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import type { PreparedGraph } from './graph.ts';

const { onnx } = onnxProto;

/**
 * ONNX Runtime's optimised graph, cached per checkpoint graph, ONNX Runtime version, provider and CPU: the first
 * load optimises the graph as usual and has ONNX Runtime write the result (`optimizedModelFilePath`, weights in
 * a data file beside it); later loads open that file with graph optimisation disabled, as ONNX Runtime's
 * documentation advises for a graph optimised offline, skipping constant folding and fusions. Optimisations at the
 * `all` level may be specific to the provider and the CPU's instruction set, hence both are in the key.
 *
 * Safe by construction: an entry is written into a temporary folder and renamed into place with a marker holding
 * its files' sizes last, so a crash mid-write leaves nothing that is read; an entry whose files do not match its
 * marker, or that ONNX Runtime refuses to open, is removed and rebuilt.
 *
 * Opt-in (`SCIBOARD_ORT_GRAPH_CACHE=1`): on the 0.5B shape with ONNX Runtime 1.30 opening the cached graph took
 * 5.3–5.6 s against 3.1–4.7 s for optimising the original again (the entry holds the folded 544 MB LM head inside
 * the graph file, which is parsed and copied at every load), so it is not the default.
 */
export const OPTIMIZED_MARKER = 'complete.json';
const MODEL_FILE = 'model.onnx';
const DATA_FILE = 'model.onnx.data';
/** Graph files up to this size are hashed whole; larger ones (weights inside) by path, size and mtime. */
const HASH_WHOLE_BYTES = 64 * 2 ** 20;


interface Marker {
  ortVersion: string;
  source: string;
  files: Record<string, number>;
}

/** Everything the optimised graph depends on: the graph's bytes (or path, size, mtime), its weight files, ORT, provider, level, CPU. */
export function optimizedGraphKey(graph: PreparedGraph, provider: string, level: string): string {
  const h = createHash('sha256');
  const st = statSync(graph.path);
  h.update(`ort ${ort.env.versions.node ?? ort.env.versions.common}\nprovider ${provider}\nlevel ${level}\n`);
  h.update(`cpu ${arch()} ${cpus()[0]?.model ?? ''}\n`);
  if (st.size <= HASH_WHOLE_BYTES) h.update(readFileSync(graph.path));
  else h.update(`${resolve(graph.path)} ${st.size} ${st.mtimeMs}`);
  // External weights: those handed over in memory, and any data file beside the graph.
  const weights = new Set((graph.externalData ?? []).map((e) => e.file));
  const dir = dirname(graph.path);
  for (const f of readdirSync(dir)) if (/\.onnx[._]data/.test(f) || f.endsWith('.data')) weights.add(join(dir, f));
  for (const file of [...weights].sort()) {
    const w = statSync(file);
    h.update(`\n${resolve(file)} ${w.size} ${w.mtimeMs}`);
  }
  return h.digest('hex').slice(0, 32);
}

function readMarker(dir: string): Marker | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dir, OPTIMIZED_MARKER), 'utf8')) as Marker;
    for (const [file, size] of Object.entries(marker.files)) if (statSync(join(dir, file)).size !== size) return undefined;
    return marker;
  } catch {
    return undefined;
  }
}

/**
 * ONNX Runtime 1.30 writes an initializer it constant-folds inside a subgraph (the decode loop's body) twice under
 * one name, and then refuses to load the file it wrote ("initializer name is not unique"). Keeps the first of each
 * name; both entries hold the same folded tensor.
 */
function dropDuplicateInitializers(path: string): void {
  const model = onnx.ModelProto.decode(readFileSync(path));
  let dropped = 0;
  const visit = (g: onnxProto.onnx.IGraphProto | null | undefined): void => {
    if (!g) return;
    const seen = new Set<string>();
    const kept = (g.initializer ?? []).filter((t) => {
      if (seen.has(t.name ?? '')) return false;
      seen.add(t.name ?? '');
      return true;
    });
    dropped += (g.initializer?.length ?? 0) - kept.length;
    g.initializer = kept;
    for (const n of g.node ?? []) for (const a of n.attribute ?? []) (visit(a.g), (a.graphs ?? []).forEach(visit));
  };
  visit(model.graph);
  if (dropped > 0) writeFileSync(path, onnx.ModelProto.encode(model).finish());
}

export interface OptimizedGraphStats {
  /** 'hit': opened from the cache; 'built': optimised and written; 'off': not cached (turned off, or the write failed). */
  outcome: 'hit' | 'built' | 'off';
  dir?: string;
  note?: string;
}

const statsBySession = new WeakMap<ort.InferenceSession, OptimizedGraphStats>();

/** How a session's graph came from the cache of optimised graphs (undefined for sessions not opened through it). */
export function optimizedGraphStats(session: ort.InferenceSession): OptimizedGraphStats | undefined {
  return statsBySession.get(session);
}

/** Opens the graph as it would be opened without the cache: from its path, or from bytes with weights in memory. */
function openPlain(graph: PreparedGraph, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  if (graph.externalData) {
    const externalData = graph.externalData.map((e) => ({ path: e.path, data: readFileSync(e.file) }));
    return ort.InferenceSession.create(readFileSync(graph.path), { ...options, externalData });
  }
  return ort.InferenceSession.create(graph.path, options);
}

/**
 * Opens `graph` through the cache of optimised graphs kept under `root` (see the top of this file); with no
 * folder (the default: the cache is opt-in) the graph is opened as it is.
 */
export async function openOptimized(
  graph: PreparedGraph,
  provider: string,
  options: ort.InferenceSession.SessionOptions,
  root: string | undefined,
): Promise<ort.InferenceSession> {
  const { session, stats } = await openThroughCache(graph, provider, options, root);
  statsBySession.set(session, stats);
  return session;
}

async function openThroughCache(
  graph: PreparedGraph,
  provider: string,
  options: ort.InferenceSession.SessionOptions,
  root: string | undefined,
): Promise<{ session: ort.InferenceSession; stats: OptimizedGraphStats }> {
  const level = options.graphOptimizationLevel ?? 'all';
  if (root === undefined || level === 'disabled') return { session: await openPlain(graph, options), stats: { outcome: 'off' } };
  const dir = join(root, optimizedGraphKey(graph, provider, level));
  // A graph ONNX Runtime could not write out before (a protobuf over 2 GB, say): not tried again at every load.
  const failed = `${dir}.failed`;
  if (existsSync(failed)) return { session: await openPlain(graph, options), stats: { outcome: 'off', note: readFileSync(failed, 'utf8') } };
  if (readMarker(dir)) {
    try {
      const session = await ort.InferenceSession.create(join(dir, MODEL_FILE), { ...options, graphOptimizationLevel: 'disabled' });
      return { session, stats: { outcome: 'hit', dir } };
    } catch {
      // An entry ONNX Runtime cannot read back (another version's, or damaged inside): rebuilt below.
      rmSync(dir, { recursive: true, force: true });
    }
  } else if (existsSync(dir)) {
    // A marker that does not match its files (a partial or damaged entry): rebuilt below.
    rmSync(dir, { recursive: true, force: true });
  }
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(tmp, { recursive: true });
  } catch (err) {
    return { session: await openPlain(graph, options), stats: { outcome: 'off', note: `cache folder not writable (${(err as Error).message})` } };
  }
  let session: ort.InferenceSession;
  try {
    session = await openPlain(graph, {
      ...options,
      optimizedModelFilePath: join(tmp, MODEL_FILE),
      extra: { session: { optimized_model_external_initializers_file_name: DATA_FILE, optimized_model_external_initializers_min_size_in_bytes: '1024' } },
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // Writing the optimised graph can fail where loading does not: open it without, and remember for next time.
    let session: ort.InferenceSession;
    try {
      session = await openPlain(graph, options);
    } catch {
      throw err;
    }
    const note = `optimised graph not written (${(err as Error).message.split('\n')[0]})`;
    try {
      writeFileSync(failed, note);
    } catch {
      // Nowhere to remember it: the next load tries again.
    }
    return { session, stats: { outcome: 'off', note } };
  }
  try {
    dropDuplicateInitializers(join(tmp, MODEL_FILE));
    const files: Record<string, number> = {};
    for (const f of readdirSync(tmp)) files[f] = statSync(join(tmp, f)).size;
    const marker: Marker = { ortVersion: String(ort.env.versions.node ?? ort.env.versions.common), source: basename(graph.path), files };
    writeFileSync(join(tmp, OPTIMIZED_MARKER), JSON.stringify(marker));
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process put its entry in place first: keep that one.
      rmSync(tmp, { recursive: true, force: true });
    }
    return { session, stats: { outcome: 'built', dir } };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    return { session, stats: { outcome: 'off', note: `optimised graph not cached (${(err as Error).message})` } };
  }
}
