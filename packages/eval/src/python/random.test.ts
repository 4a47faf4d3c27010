import { describe, expect, it } from 'vitest';
import { PythonRandom } from './random.ts';

// Expected values printed by CPython 3.11.7 on this machine, e.g.
// python3 -c "import random; r=random.Random(1234); print([r.sample(range(7473),5) for _ in range(3)])"
describe('PythonRandom matches CPython random.Random', () => {
  it('draws the gsm8k few-shot indices lm-eval draws for the first three test documents', () => {
    const r = new PythonRandom(1234);
    expect([r.sampleIndices(7473, 5), r.sampleIndices(7473, 5), r.sampleIndices(7473, 5)]).toEqual([
      [6374, 3610, 957, 61, 742],
      [7462, 6610, 4769, 286, 5501],
      [5677, 687, 806, 6279, 2905],
    ]);
  });

  it('random(), getrandbits and randbelow continue one stream', () => {
    const r = new PythonRandom(1234);
    expect(r.random()).toBe(0.9664535356921388);
    expect(r.random()).toBe(0.4407325991753527);
    expect(r.getrandbits(7)).toBe(0n);
    expect(r.getrandbits(70)).toBe(1123609184798741130053n);
    expect(r.randbelow(1000)).toBe(961);
  });

  it('seeds from the absolute value split into 32-bit words', () => {
    expect(new PythonRandom(0).random()).toBe(0.8444218515250481);
    expect(new PythonRandom(2 ** 40 + 5).random()).toBe(0.5043802970418443);
    expect(new PythonRandom(-3).random()).toBe(0.23796462709189137);
  });

  it('uses the pool algorithm for small populations and the set algorithm for large ones', () => {
    const r = new PythonRandom(42);
    expect(r.sample([...Array(30).keys()], 10)).toEqual([20, 3, 0, 23, 8, 7, 24, 4, 28, 17]);
    expect(r.sample([...Array(10).keys()], 10)).toEqual([1, 6, 0, 7, 8, 9, 4, 2, 5, 3]);
    expect(r.sample([...Array(100).keys()], 6)).toEqual([91, 83, 89, 69, 53, 28]);
    expect(new PythonRandom(1234).sampleIndices(7473, 9)).toEqual([6374, 3610, 957, 61, 742, 7462, 6610, 4769, 286]);
    expect(new PythonRandom(1234).sampleIndices(1319, 6)).toEqual([902, 239, 15, 185, 1192, 71]);
  });

  it('rejects impossible samples', () => {
    expect(() => new PythonRandom(1).sample([1, 2], 3)).toThrow(/larger than population/);
  });
});
