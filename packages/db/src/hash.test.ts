import { describe, expect, it } from 'vitest';
import { RECORDED_ONLY_CONFIG, runConfigHash, runIdentity } from './hash.ts';

const plain = { numFewshot: 5, limit: null, batchSize: null, dtype: 'float32', harnessVersion: 'sciboard-0.1.0' };

describe('a run\'s identity', () => {
  it('leaves out the engine\'s batch size, why it was picked, the items per stored batch and the graph file', () => {
    const recorded = { ...plain, batchSize: 32, batchSizePickedFrom: '120 MB of weights; CPU cap 32', storeEvery: 4, graphFile: 'onnx/model.onnx' };
    expect(runConfigHash(recorded)).toBe(runConfigHash(plain));
    expect(runConfigHash({ ...plain, batchSize: 1, storeEvery: 64 })).toBe(runConfigHash(plain));
    expect(runIdentity(recorded)).toEqual(plain);
    expect([...RECORDED_ONLY_CONFIG].sort()).toEqual(['batchSize', 'batchSizePickedFrom', 'graphFile', 'storeEvery']);
  });

  it('keeps everything that changes a result', () => {
    expect(runConfigHash({ ...plain, numFewshot: 0 })).not.toBe(runConfigHash(plain));
    expect(runConfigHash({ ...plain, limit: 10 })).not.toBe(runConfigHash(plain));
    expect(runConfigHash({ ...plain, dtype: 'q4' })).not.toBe(runConfigHash(plain));
    expect(runConfigHash({ ...plain, applyChatTemplate: true })).not.toBe(runConfigHash(plain));
  });

  it('is the hash runs recorded before had, so they still resume', () => {
    // sha256 of {"batchSize":null,"dtype":"float32","harnessVersion":"sciboard-0.1.0","limit":null,"numFewshot":5}
    expect(runConfigHash(plain)).toBe('ff5c8a8f54ef50dc5b803c88a8b58f54e5fd38d240923df3babbe0eeccf090a1');
    expect(runConfigHash({ ...plain, batchSize: 8 })).toBe('ff5c8a8f54ef50dc5b803c88a8b58f54e5fd38d240923df3babbe0eeccf090a1');
    // A configuration without the key (an older import, a test) hashes as it always did.
    expect(runConfigHash({ numFewshot: 5 })).toBe(runConfigHash({ numFewshot: 5, storeEvery: 2 }));
    expect(runConfigHash({ numFewshot: 5 })).not.toBe(runConfigHash({ numFewshot: 5, batchSize: null }));
  });
});
