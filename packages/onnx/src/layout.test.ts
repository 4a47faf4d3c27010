import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DTYPES, dtypeOfGraphFile, graphCandidates, graphVariantFiles, listGraphFiles, parseDtype, selectGraph } from './layout.ts';

const root = mkdtempSync(join(tmpdir(), 'sciboard-layout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: string[]): string {
  const dir = join(root, name);
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  return dir;
}

describe('graph files of a checkpoint folder', () => {
  it('names each precision as transformers.js does (q8 is _quantized)', () => {
    expect(DTYPES.map((d) => graphCandidates(d)[1])).toEqual([
      'onnx/model.onnx',
      'onnx/model_fp16.onnx',
      'onnx/model_q4.onnx',
      'onnx/model_q4f16.onnx',
      'onnx/model_quantized.onnx',
      'onnx/model_int8.onnx',
      'onnx/model_uint8.onnx',
      'onnx/model_bnb4.onnx',
    ]);
    for (const d of DTYPES) for (const f of graphCandidates(d)) expect(dtypeOfGraphFile(f)).toBe(d);
    expect(() => parseDtype('fp8')).toThrow('--dtype must be one of fp32, fp16, q4, q4f16, q8, int8, uint8, bnb4, got "fp8"');
  });

  it('picks the requested variant from an onnx-community folder, fp32 by default', () => {
    const dir = folder('community', ['onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx', 'onnx/model_quantized.onnx', 'onnx/model_q4.onnx_data']);
    expect(selectGraph(dir)).toMatchObject({ file: 'onnx/model.onnx', dtype: 'fp32', requested: false });
    expect(selectGraph(dir, 'q4')).toMatchObject({ file: 'onnx/model_q4.onnx', dtype: 'q4', requested: true, path: join(dir, 'onnx/model_q4.onnx') });
    expect(selectGraph(dir, 'q8').file).toBe('onnx/model_quantized.onnx');
    expect(() => selectGraph(dir, 'bnb4')).toThrow(
      /no bnb4 graph for --dtype bnb4 \(looked for model_bnb4\.onnx, onnx\/model_bnb4\.onnx, .*\); found onnx\/model\.onnx \(--dtype fp32\), onnx\/model_fp16\.onnx \(--dtype fp16\), onnx\/model_q4\.onnx \(--dtype q4\), onnx\/model_quantized\.onnx \(--dtype q8\)/,
    );
  });

  it('without an fp32 graph and no --dtype, lists what is there', () => {
    const dir = folder('no-fp32', ['onnx/model_q4f16.onnx', 'onnx/model_int8.onnx']);
    expect(() => selectGraph(dir)).toThrow(/no ONNX graph found for fp32, the default .*; found onnx\/model_int8\.onnx \(--dtype int8\), onnx\/model_q4f16\.onnx \(--dtype q4f16\); choose one with --dtype/);
    expect(() => selectGraph(folder('empty', ['config.json']))).toThrow(/no ONNX graph found for fp32, the default .*; the folder holds no \.onnx file/);
  });

  it("keeps Optimum's layouts: plain model.onnx first, then the merged decoder", () => {
    expect(selectGraph(folder('optimum', ['decoder_model_merged.onnx', 'decoder_model.onnx'])).file).toBe('decoder_model_merged.onnx');
    expect(selectGraph(folder('optimum-fp16', ['decoder_model_merged_fp16.onnx']), 'fp16').file).toBe('decoder_model_merged_fp16.onnx');
    expect(selectGraph(folder('plain', ['model.onnx', 'onnx/model.onnx'])).file).toBe('model.onnx');
  });

  it("lists a variant's own external-data files and not its neighbours'", () => {
    const dir = folder('external', [
      'onnx/model.onnx',
      'onnx/model.onnx_data',
      'onnx/model.onnx_data_1',
      'onnx/model_fp16.onnx',
      'onnx/model_fp16.onnx_data',
      'onnx/model.sciboard-0123456789ab.onnx',
    ]);
    expect(listGraphFiles(dir)).toEqual(['onnx/model.onnx', 'onnx/model_fp16.onnx']);
    expect(graphVariantFiles(join(dir, 'onnx/model.onnx'))).toEqual(['model.onnx', 'model.onnx_data', 'model.onnx_data_1'].map((f) => join(dir, 'onnx', f)));
    expect(graphVariantFiles(join(dir, 'onnx/model_fp16.onnx'))).toEqual(['model_fp16.onnx', 'model_fp16.onnx_data'].map((f) => join(dir, 'onnx', f)));
  });

  it('refuses an ONNX Runtime GenAI export, saying what to export instead', () => {
    const dir = folder('genai', ['model.onnx', 'model.onnx.data', 'genai_config.json']);
    expect(() => selectGraph(dir)).toThrow(/genai_config\.json: this is an ONNX Runtime GenAI export.*optimum-cli export onnx --model <model id> --task text-generation-with-past.*transformers\.js's conversion script/);
  });
});
