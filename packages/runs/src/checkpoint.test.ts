import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '@sciboard/onnx';
import { checkCheckpointLayout, checkpointContentHash, parseParams } from './checkpoint.ts';

describe('parseParams', () => {
  it('reads sizes with suffixes as billions', () => {
    expect(parseParams('6.2B')).toBeCloseTo(6.2);
    expect(parseParams('350m')).toBeCloseTo(0.35);
    expect(parseParams('125k')).toBeCloseTo(0.000125);
    expect(parseParams('13')).toBe(13);
  });
  it('names the field and the expected form when it cannot', () => {
    expect(() => parseParams('big')).toThrow(/^params: expected a size such as 6\.2B/);
    expect(() => parseParams('0B')).toThrow(/^params: must be positive/);
  });
});

describe('checkpoint checks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sciboard-ckpt-'));
    await writeTinyModel(join(dir, 'tiny'), { seed: 1 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a size that fits the weights and refuses one that does not', () => {
    // The test tiny model has 125,248 float32 parameters.
    expect(checkCheckpointLayout(join(dir, 'tiny'), 0.000125).weightBytes).toBeGreaterThan(500_000);
    expect(() => checkCheckpointLayout(join(dir, 'tiny'), 6.2)).toThrow(/declared 6\.2B parameters, but the weights take \d+ bytes/);
    expect(() => checkCheckpointLayout(join(dir, 'tiny'), 0.000001)).toThrow(/plausible is 0\.4–5/);
  });

  it('names the missing or broken file', () => {
    const copy = join(dir, 'no-tokenizer');
    cpSync(join(dir, 'tiny'), copy, { recursive: true });
    rmSync(join(copy, 'tokenizer.json'));
    expect(() => checkCheckpointLayout(copy)).toThrow(/tokenizer\.json is missing/);
    writeFileSync(join(copy, 'tokenizer.json'), '{ not json');
    expect(() => checkCheckpointLayout(copy)).toThrow(/tokenizer\.json is not valid JSON/);
    expect(() => checkCheckpointLayout(join(dir, 'absent'))).toThrow(/is not a directory/);
  });

  it('hashes content, not location: a copy matches, a changed byte does not', async () => {
    const copy = join(dir, 'copy');
    cpSync(join(dir, 'tiny'), copy, { recursive: true });
    const original = await checkpointContentHash(join(dir, 'tiny'));
    expect(await checkpointContentHash(copy)).toBe(original);
    writeFileSync(join(copy, 'generation_config.json'), '{}');
    expect(await checkpointContentHash(copy)).not.toBe(original);
  });

  it("picks the --dtype graph of a folder holding several precisions and counts only that graph's weights", async () => {
    const folder = join(dir, 'variants');
    await writeTinyModel(folder, { seed: 1, dtypes: ['fp32', 'fp16', 'q4'], externalData: true });
    const size = (f: string) => statSync(join(folder, f)).size;
    const fp32 = checkCheckpointLayout(folder);
    expect([fp32.graphFile, fp32.dtype]).toEqual(['onnx/model.onnx', 'fp32']);
    expect(fp32.weightBytes).toBe(size('onnx/model.onnx') + size('onnx/model.onnx_data'));
    const q4 = checkCheckpointLayout(folder, 0.000125, 'q4');
    expect([q4.graphFile, q4.dtype]).toEqual(['onnx/model_q4.onnx', 'q4']);
    expect(q4.weightBytes).toBe(size('onnx/model_q4.onnx') + size('onnx/model_q4.onnx_data'));
    // The fp16 file is half the fp32 one, so a size that fits fp32 weights also fits it per parameter.
    expect(checkCheckpointLayout(folder, 0.000125, 'fp16').weightBytes).toBeLessThan(fp32.weightBytes * 0.6);
    let refused: unknown;
    try {
      checkCheckpointLayout(folder, undefined, 'int8');
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ field: 'dtype', message: expect.stringMatching(/^checkpoint: .*no int8 graph for --dtype int8 .*found onnx\/model\.onnx \(--dtype fp32\)/) });
  });
});
