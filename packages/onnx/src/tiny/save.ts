import { randomUUID } from 'node:crypto';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Initializers at least this large go to the external file (onnx.save_model's default threshold). */
const EXTERNAL_MIN_BYTES = 1024;

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/**
 * Writes a model held in memory; with `external`, every initializer of 1 KB or more goes to `<graph>_data` beside
 * it (`model_q4.onnx_data`), or with `chunkBytes` to several files of at most that size named as transformers.js
 * names them (`model.onnx_data`, `model.onnx_data_1`, …). Data files are written before the graph that names them.
 * Returns the files written, relative to the graph's folder.
 */
export async function saveOnnxModel(model: onnxProto.onnx.ModelProto, path: string, external?: { chunkBytes?: number }): Promise<string[]> {
  const folder = dirname(path);
  const name = basename(path);
  const chunks: { location: string; parts: Uint8Array[]; size: number }[] = [];
  if (external) {
    const limit = external.chunkBytes ?? Number.POSITIVE_INFINITY;
    for (const t of (model.graph as onnxProto.onnx.GraphProto).initializer) {
      const raw = t.rawData;
      if (!raw || raw.length < EXTERNAL_MIN_BYTES) continue;
      let chunk = chunks.at(-1);
      if (!chunk || (chunk.size > 0 && chunk.size + raw.length > limit)) {
        chunk = { location: `${name}_data${chunks.length === 0 ? '' : `_${chunks.length}`}`, parts: [], size: 0 };
        chunks.push(chunk);
      }
      t.externalData = [
        onnx.StringStringEntryProto.create({ key: 'location', value: chunk.location }),
        onnx.StringStringEntryProto.create({ key: 'offset', value: String(chunk.size) }),
        onnx.StringStringEntryProto.create({ key: 'length', value: String(raw.length) }),
      ];
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      chunk.parts.push(new Uint8Array(raw));
      chunk.size += raw.length;
      t.rawData = new Uint8Array(0);
    }
  }
  // Data files of an earlier write under this graph's name would sit beside it and mislead.
  for (const stale of await readdir(folder)) if (stale.startsWith(`${name}_data`)) await rm(join(folder, stale), { force: true });
  for (const chunk of chunks) await writeAtomic(join(folder, chunk.location), Buffer.concat(chunk.parts));
  await writeAtomic(path, onnx.ModelProto.encode(model).finish());
  return [name, ...chunks.map((c) => c.location)];
}
