import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddingGroups } from './batch.ts';
import { loadModel, type OnnxLanguageModel } from './index.ts';

const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const present = existsSync(join(fixture, 'model.onnx'));
if (!present) console.log(`skipping fast-path equivalence tests: ${fixture} not found`);

// Few-shot prompts that share their exemplars and differ in the last question, like a task's requests.
function fewShotRequests(): { context: string; continuation: string }[] {
  const lines = readFileSync(join(fixture, 'loglik.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { context: string });
  const base = lines.find((c) => c.context.startsWith('The following are multiple choice questions'))!.context;
  const cut = base.lastIndexOf('\n\n') + 2;
  const shots = base.slice(0, cut);
  const questions = ['What is 7 times 6?', 'Which particle carries a negative charge?', '水的化学式是什么？', 'Name the closest star to Earth.'];
  return questions.flatMap((q) =>
    [' A', ' B', ' C', ' D', ' D. the longest answer'].map((continuation) => ({
      context: `${shots}${q}\nA. one\nB. two\nC. three\nD. four\nAnswer:`,
      continuation,
    })),
  );
}

describe.skipIf(!present)('fast path leaves results unchanged', () => {
  let fast: OnnxLanguageModel;
  let plain: OnnxLanguageModel;
  let stepwise: OnnxLanguageModel;
  beforeAll(async () => {
    fast = await loadModel(fixture, { device: 'cpu', batchSize: 3 });
    stepwise = await loadModel(fixture, { device: 'cpu', batchSize: 3, fast: { decodeLoop: false } });
    plain = await loadModel(fixture, {
      device: 'cpu',
      batchSize: 1,
      fast: { sliceLogits: false, groupContexts: false, prefixCache: false, refill: false, decodeLoop: false },
    });
  });
  afterAll(async () => {
    await fast?.dispose();
    await stepwise?.dispose();
    await plain?.dispose();
  });

  it('log-likelihoods with grouping, a shared prefix cache and sliced logits equal the plain path', async () => {
    expect(fast.slicedLogits).toBe(true);
    expect(plain.slicedLogits).toBe(false);
    const requests = fewShotRequests();
    const a = await fast.loglikelihood(requests);
    const b = await plain.loglikelihood(requests);
    a.forEach((r, i) => {
      expect(Math.abs(r.logprob - b[i]!.logprob)).toBeLessThan(1e-4);
      expect(r.isGreedy).toBe(b[i]!.isGreedy);
    });
  });

  it('generation with a shared prefix and refilled batch slots gives the same tokens', async () => {
    const requests = fewShotRequests()
      .filter((_, i) => i % 5 === 0)
      .map((r, i) => ({ context: r.context, until: ['\n\n'], maxTokens: 4 + 5 * i }));
    const a = await fast.generate(requests);
    const b = await plain.generate(requests);
    expect(a).toEqual(b);
  });

  it('rows of very different prompt lengths, prefilled in groups of similar length, give the same tokens', async () => {
    const first = fewShotRequests()[0]!.context;
    const shots = first.slice(0, first.lastIndexOf('\n\n') + 2);
    const questions = [
      'A ball is thrown straight up at 12 m/s from a balcony 20 m above the ground; ignoring air resistance and taking g as 9.8 m/s², how long does it take to reach the ground, and how fast is it moving just before it lands?',
      'What is 7 times 6, and why?',
      'Why?',
      'Which gas makes up most of the air we breathe?',
      'Name the closest star to Earth.',
    ];
    const requests = questions.map((q, i) => ({ context: `${shots}${q}\nAnswer:`, until: ['\n\n'], maxTokens: 6 + 3 * i }));
    // The case under test: an admission of this many rows is prefilled in more than one group.
    const remainders = requests.map((r) => fast.tokenizer.encode(r.context).length - fast.tokenizer.encode(shots).length).sort((a, b) => b - a);
    expect(paddingGroups(remainders.slice(0, 3)).length).toBeGreaterThan(1);
    const a = await fast.generate(requests);
    const b = await plain.generate(requests);
    expect(a).toEqual(b);
  });

  it('a task asked in chunks computes its exemplars once and gives the results of asking it whole', async () => {
    const model = await loadModel(fixture, { device: 'cpu', batchSize: 4 });
    try {
      // The fixture's prompts share only a one-line header; give them exemplars, as a 5-shot task has.
      const shots = ['What is 2 plus 2?', 'Which planet is largest?', 'What is the boiling point of water at sea level?']
        .map((q) => `${q}\nA. one\nB. two\nC. three\nD. four\nAnswer: B\n\n`)
        .join('');
      const requests = fewShotRequests().map((r) => {
        const cut = r.context.lastIndexOf('\n\n') + 2;
        return { ...r, context: r.context.slice(0, cut) + shots + r.context.slice(cut) };
      });
      const first = requests[0]!.context;
      const exemplars = model.tokenizer.encode(first.slice(0, first.lastIndexOf('\n\n') + 2)).length;
      expect(exemplars).toBeGreaterThan(40);
      // Chunks of two questions (ten requests), as the evaluator sends a task's items.
      const chunked = [];
      for (let at = 0; at < requests.length; at += 10) chunked.push(...(await model.loglikelihood(requests.slice(at, at + 10))));
      const whole = await plain.loglikelihood(requests);
      chunked.forEach((r, i) => {
        expect(Math.abs(r.logprob - whole[i]!.logprob)).toBeLessThan(1e-4);
        expect(r.isGreedy).toBe(whole[i]!.isGreedy);
      });
      const stats = model.prefixCacheStats;
      // Computed in the first chunk (a few tokens past the exemplars at most), taken whole by the second.
      expect(stats.computedTokens).toBeGreaterThanOrEqual(exemplars - 2);
      expect(stats.computedTokens).toBeLessThan(exemplars + 8);
      expect(stats.reusedTokens).toBeGreaterThanOrEqual(exemplars - 2);

      // Generation after it reuses the same exemplars; a single request does too.
      const gen = requests.filter((_, i) => i % 5 === 0).map((r) => ({ context: r.context, until: ['\n\n'], maxTokens: 5 }));
      const before = model.prefixCacheStats.computedTokens;
      const a = [...(await model.generate(gen.slice(0, 2))), ...(await model.generate(gen.slice(2, 3))), ...(await model.generate(gen.slice(3)))];
      expect(model.prefixCacheStats.computedTokens - before).toBeLessThan(8);
      expect(a).toEqual(await plain.generate(gen));
    } finally {
      await model.dispose();
    }
    // One question per chunk: each chunk's rows share their question too, so each chunk computes its question's
    // shared part on top of the exemplars kept from the first chunk (cut back to them), never the exemplars again.
    const single = await loadModel(fixture, { device: 'cpu', batchSize: 4 });
    try {
      const shots = 'Which planet is largest?\nA. one\nB. two\nC. three\nD. four\nAnswer: B\n\n'.repeat(3);
      const requests = fewShotRequests().map((r) => {
        const cut = r.context.lastIndexOf('\n\n') + 2;
        return { ...r, context: r.context.slice(0, cut) + shots + r.context.slice(cut) };
      });
      const chunked = [];
      for (let at = 0; at < requests.length; at += 5) chunked.push(...(await single.loglikelihood(requests.slice(at, at + 5))));
      const whole = await plain.loglikelihood(requests);
      chunked.forEach((r, i) => expect(Math.abs(r.logprob - whole[i]!.logprob)).toBeLessThan(1e-4));
      const first = requests[0]!.context;
      const exemplars = single.tokenizer.encode(first.slice(0, first.lastIndexOf('\n\n') + 2)).length;
      const { computedTokens, reusedTokens } = single.prefixCacheStats;
      expect(computedTokens).toBeGreaterThan(exemplars);
      // Four questions of well under 40 tokens each on top of the exemplars once (asked anew: 4 × (exemplars + q)).
      expect(computedTokens).toBeLessThan(exemplars + 4 * 40);
      expect(reusedTokens).toBeGreaterThanOrEqual(3 * (exemplars - 2));
      // Once forgotten, the exemplars are computed again.
      single.clearPrefixCache();
      await single.loglikelihood(requests.slice(0, 5));
      expect(single.prefixCacheStats.computedTokens - computedTokens).toBeGreaterThan(exemplars);
      expect(single.prefixCacheStats.reusedTokens).toBe(reusedTokens);
    } finally {
      await single.dispose();
    }
  });

  it('one call mixing two tasks computes each task exemplars once, choices of different lengths in one row', async () => {
    const model = await loadModel(fixture, { device: 'cpu', batchSize: 8 });
    try {
      const header = 'The following are multiple choice questions (with answers) about ';
      const exemplars = (subject: string, q: string) => `${header}${subject}.\n\n${`${q}\nA. one\nB. two\nC. three\nD. four\nAnswer: B\n\n`.repeat(3)}`;
      const tasks = [exemplars('physics', 'How fast does light travel in a vacuum?'), exemplars('chemistry', 'Which element has the symbol Na?')];
      const questions = ['What is 7 times 6?', 'Which particle carries a negative charge?', '水的化学式是什么？', 'Name the closest star to Earth.', 'Why?'];
      // Continuations of one, two and several tokens: inputs that start one another.
      const continuations = [' A', ' B', ' 42', ' Aardvarks and antelopes'];
      const requests = questions.flatMap((q, i) =>
        continuations.map((continuation) => ({ context: `${tasks[i % 2]}${q}\nA. one\nB. two\nC. three\nD. four\nAnswer:`, continuation })),
      );
      const a = await model.loglikelihood(requests);
      const b = await plain.loglikelihood(requests);
      a.forEach((r, i) => {
        expect(Math.abs(r.logprob - b[i]!.logprob)).toBeLessThan(1e-4);
        expect(r.isGreedy).toBe(b[i]!.isGreedy);
      });
      const lengths = tasks.map((t) => model.tokenizer.encode(t).length);
      const own = questions.reduce((n, _, i) => n + model.tokenizer.encode(requests[4 * i]!.context).length - lengths[i % 2]!, 0);
      const { computedTokens } = model.prefixCacheStats;
      // Each task's exemplars once (the header they share at most twice), and at most each question's own tokens
      // (a question whose choices need two rows gets its own prefix), not the exemplars once per question.
      expect(computedTokens).toBeGreaterThanOrEqual(Math.max(...lengths) - 2);
      expect(computedTokens).toBeLessThan(lengths[0]! + lengths[1]! + own + 8);
      expect(computedTokens).toBeLessThan(questions.length * Math.min(...lengths));
    } finally {
      await model.dispose();
    }
  });

  it('several greedy steps per run (the decode loop) give the tokens of one step per run', async () => {
    expect(fast.decodeLoop).toBe(true);
    expect(stepwise.decodeLoop).toBe(false);
    // Limits that are not multiples of the loop's steps, and more requests than slots, so rows leave mid-run and
    // queued ones take their place. Stop strings are cut from what the model writes, so rows stop mid-run.
    const base = fewShotRequests()
      .filter((_, i) => i % 5 < 2)
      .map((r, i) => ({ context: r.context.slice(0, r.context.length - 9 * i), until: [] as string[], maxTokens: 3 + 5 * i }));
    const free = await stepwise.generate(base);
    const requests = base.map((r, i) => {
      const text = free[i]!.text;
      const at = Math.floor(text.length * (0.3 + 0.1 * (i % 5)));
      return i % 2 === 1 && text.length > 8 ? { ...r, until: [text.slice(at, at + 2)] } : r;
    });
    const a = await fast.generate(requests);
    const b = await stepwise.generate(requests);
    const c = await plain.generate(requests);
    expect(a).toEqual(b);
    expect(a).toEqual(c);
    const reasons = new Set(a.map((r) => r.finishReason));
    expect(reasons.has('stop') && reasons.has('length')).toBe(true);
  });
});
