import { describe, expect, it } from 'vitest';
import { DTYPES, graphCandidates } from '@sciboard/onnx/layout';
import { isUploadFileName } from '../app/api/submissions/upload.ts';

describe('the files an upload may hold', () => {
  it('are the engine\'s top-level graph locations in every precision with their external data, and the checkpoint\'s JSON files', () => {
    const flat = DTYPES.flatMap((d) => graphCandidates(d)).filter((f) => !f.includes('/'));
    expect(flat).toContain('model.onnx');
    expect(flat).toContain('decoder_model_merged.onnx');
    expect(flat).toContain('model_q4.onnx');
    expect(flat).toContain('model_quantized.onnx');
    expect(flat).toHaveLength(2 * DTYPES.length);
    for (const graph of flat) {
      expect(isUploadFileName(graph), graph).toBe(true);
      expect(isUploadFileName(`${graph}_data`)).toBe(true);
      expect(isUploadFileName(`${graph}_data_1`)).toBe(true);
      expect(isUploadFileName(`${graph}.data`)).toBe(true);
    }
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json', 'chat_template.jinja']) {
      expect(isUploadFileName(name)).toBe(true);
    }
  });

  it('refuse anything else: subfolders, unknown precisions, look-alikes', () => {
    for (const name of ['onnx/model.onnx', 'onnx/model_q4.onnx', 'model_q3.onnx', 'modelXonnx', 'decoder_model_mergedXonnx', 'model.onnx_data_x', 'model.onnx_data_', 'evil.onnx', 'model.onnx.exe', 'config.json.bak', '../model.onnx']) {
      expect(isUploadFileName(name), name).toBe(false);
    }
  });
});
