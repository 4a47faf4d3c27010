import { describe, expect, it } from 'vitest';
import { graphCandidates } from '@sciboard/onnx/layout';
import { isUploadFileName } from '../app/api/submissions/upload.ts';

describe('the files an upload may hold', () => {
  it('are the engine\'s top-level fp32 graph locations with their external data, and the checkpoint\'s JSON files', () => {
    const flat = graphCandidates('fp32').filter((f) => !f.includes('/'));
    expect(flat).toEqual(['model.onnx', 'decoder_model_merged.onnx']);
    for (const graph of flat) {
      expect(isUploadFileName(graph)).toBe(true);
      expect(isUploadFileName(`${graph}_data`)).toBe(true);
      expect(isUploadFileName(`${graph}.data`)).toBe(true);
    }
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json', 'chat_template.jinja']) {
      expect(isUploadFileName(name)).toBe(true);
    }
  });

  it('refuse anything else: subfolders, other precisions, look-alikes', () => {
    for (const name of ['onnx/model.onnx', 'model_q4.onnx', 'modelXonnx', 'decoder_model_mergedXonnx', 'model.onnx_data_1', 'evil.onnx', 'model.onnx.exe', 'config.json.bak', '../model.onnx']) {
      expect(isUploadFileName(name), name).toBe(false);
    }
  });
});
