import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithOracle, computedTokens, spread, LOGPROB_TOLERANCE } from './src/analysis.ts';
import { allocatorEnv, runBenchmark } from './src/main.ts';
import { ladder, type RunPlan } from './src/plan.ts';
import { renderSummary, updateReadme, writeResultJson } from './src/report.ts';
import { sharedTextPrefix, type SuiteTokens } from './src/suite-tokens.ts';

const here = dirname(fileURLToPath(import.meta.url));
const sharedDir = resolve(process.env.SCIBOARD_SHARED_DIR ?? resolve(here, '..', '..', 'shared'));
const dataDir = join(sharedDir, 'data');
const haveData = existsSync(join(dataDir, 'mmlu')) && existsSync(join(sharedDir, 'fixtures', 'tiny-llm', 'tokenizer.json'));
if (!haveData) console.log(`skipping the benchmark smoke run: ${dataDir} or the Qwen3 tokenizer fixture is absent (set SCIBOARD_SHARED_DIR)`);

const scratch = mkdtempSync(join(tmpdir(), 'sciboard-bench-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('oracle comparison', () => {
  const oracle = { workload: 'mmlu_5shot', seconds: 1, items: 1, choices: [[{ logprob: -2.5, isGreedy: false }, { logprob: -0.1, isGreedy: true }]] };

  it('passes within the tolerance and fails beyond it or on a different greedy flag', () => {
    const close = { ...oracle, choices: [[{ logprob: -2.5 + LOGPROB_TOLERANCE / 2, isGreedy: false }, { logprob: -0.1, isGreedy: true }]] };
    const far = { ...oracle, choices: [[{ logprob: -2.5 + 3 * LOGPROB_TOLERANCE, isGreedy: false }, { logprob: -0.1, isGreedy: true }]] };
    const flipped = { ...oracle, choices: [[{ logprob: -2.5, isGreedy: true }, { logprob: -0.1, isGreedy: true }]] };
    expect(compareWithOracle('x', oracle, close).pass).toBe(true);
    expect(compareWithOracle('x', oracle, far)).toMatchObject({ pass: false, compared: 1 });
    expect(compareWithOracle('x', oracle, far).maxAbsLogprobDiff).toBeCloseTo(3 * LOGPROB_TOLERANCE, 9);
    expect(compareWithOracle('x', oracle, flipped)).toMatchObject({ pass: false, greedyFlagsIdentical: false });
  });

  it('compares generated texts exactly', () => {
    const a = { workload: 'gsm8k', seconds: 1, items: 2, texts: ['one', 'two'] };
    expect(compareWithOracle('x', a, { ...a, texts: ['one', 'two'] }).pass).toBe(true);
    expect(compareWithOracle('x', a, { ...a, texts: ['one', 'two '] }).pass).toBe(false);
  });
});

describe('allocator setting of the peer processes', () => {
  it('adds the huge-page tunable to the caller\'s own tunables, or takes it out', () => {
    expect(allocatorEnv(true, undefined)).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    expect(allocatorEnv(true, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0')).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1' });
    expect(allocatorEnv(false, 'glibc.malloc.hugetlb=1:glibc.malloc.arena_max=2')).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' });
    expect(allocatorEnv(false, undefined)).toEqual({ GLIBC_TUNABLES: '' });
  });
});

describe('token accounting', () => {
  it('cuts the shared prefix at the last paragraph break', () => {
    expect(sharedTextPrefix(['Intro\n\nQ1 a\n\nQ2 x', 'Intro\n\nQ1 a\n\nQ3 y'])).toBe('Intro\n\nQ1 a\n\n');
    expect(sharedTextPrefix(['abc', 'abd'])).toBe('');
  });

  it('counts the prefix once only with the prefix cache, and each choice apart only without grouping', () => {
    const suite: SuiteTokens = { suite: 's', items: 2, tokenizer: 't', tasks: [{ task: 't', sharedPrefix: 100, itemTokens: [10, 20], choices: 4 }] };
    expect(computedTokens(suite, undefined)).toBe(4 * (110 + 120));
    expect(computedTokens(suite, { groupContexts: true, prefixCache: false })).toBe(110 + 120);
    expect(computedTokens(suite, { groupContexts: true, prefixCache: true })).toBe(100 + 10 + 20);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
  });
});

describe.skipIf(!haveData)('quick benchmark on the small model', () => {
  it('checks the engine against the naive oracle and writes the report', async () => {
    const plan: RunPlan = {
      mode: 'quick',
      unitRounds: 0,
      evalBatch: 2,
      // Two rounds: peers stay alive between their rounds, and a first-round-only peer leaves after its one.
      rounds: 2,
      models: [
        {
          shape: 'small',
          sizes: { choiceItems: 1, generationItems: 1, generationTokens: 4, generationBatch: 2, prefillTokens: 64, decodeTokens: 24, decodeBatches: [2] },
          peers: [
            { label: 'naive', peer: 'naive', workloads: ['ceval_5shot', 'decode_24_b2'], firstRoundOnly: true },
            { label: ladder[0]!.label, peer: 'sciboard', fast: ladder[0]!.fast, workloads: ['decode_24_b2'] },
            { label: 'sciboard', peer: 'sciboard', fast: { sliceLogits: true, groupContexts: true, prefixCache: true, refill: true, decodeLoop: true }, workloads: ['ceval_5shot', 'gsm8k_cot_8shot', 'prefill_64', 'decode_24_b2'] },
            { label: 'sciboard:int8', peer: 'sciboard', int8: true, fast: { sliceLogits: true, groupContexts: true, prefixCache: true, refill: true, decodeLoop: true }, workloads: ['ceval_5shot', 'decode_24_b2'], firstRoundOnly: true },
          ],
        },
      ],
    };
    const result = await runBenchmark({
      plan,
      threads: 1,
      dataDir,
      sharedDir,
      cacheDir: resolve(here, '.cache'),
      projections: false,
      hugePages: true,
      log: () => {},
    });
    const [model] = result.models;
    expect(model!.name).toBe('small');
    const checks = model!.oracle.filter((c) => !c.approximate);
    // Both float32 engine configurations against the oracle on every workload the oracle ran.
    expect(checks.map((c) => `${c.label} ${c.workload}`).sort()).toEqual(
      ['sciboard ceval_5shot', 'sciboard decode_24_b2', 'sciboard:none decode_24_b2'].sort(),
    );
    // int8 is compared with float32 within a tolerance: close, but not the same numbers.
    const int8 = model!.oracle.filter((c) => c.approximate);
    expect(int8.map((c) => c.workload).sort()).toEqual(['ceval_5shot', 'decode_24_b2']);
    const int8Choices = int8.find((c) => c.workload === 'ceval_5shot')!;
    expect(int8Choices.maxRelLogprobDiff).toBeGreaterThan(0);
    expect(int8Choices.maxRelLogprobDiff).toBeLessThan(0.05);
    expect(int8Choices.pass).toBe(true);
    expect(model!.peers.find((p) => p.label === 'sciboard:int8')!.details.int8).toBe(true);
    for (const c of checks) {
      expect(c.compared, `${c.label} ${c.workload}`).toBeGreaterThan(0);
      expect(c.pass, `${c.label} ${c.workload}`).toBe(true);
    }
    const ceval = checks.find((c) => c.label === 'sciboard' && c.workload === 'ceval_5shot')!;
    expect(ceval.maxAbsLogprobDiff).toBeLessThanOrEqual(LOGPROB_TOLERANCE);

    const engine = model!.peers.find((p) => p.label === 'sciboard')!;
    expect(engine.details['fast.prefixCache']).toBe(true);
    expect(engine.maxRssMb.max).toBeGreaterThan(0);
    const decode = engine.workloads.find((w) => w.workload === 'decode_24_b2')!;
    expect(decode.seconds.n).toBe(2);
    expect(engine.rounds).toBe(2);
    expect(model!.peers.find((p) => p.label === 'naive')!.rounds).toBe(1);
    expect(decode.decodeTokensPerSecond!.median).toBeGreaterThan(0);
    expect(decode.ttftSeconds!.median).toBeGreaterThan(0);
    expect(result.roofline.matmul.flopsPerSecond).toBeGreaterThan(1e8);
    expect(result.roofline.firstTouch!.bytesPerSecond).toBeGreaterThan(0);
    // Read bandwidth through ONNX Runtime, every run kept: both probes, one entry per timed run and round.
    expect(result.roofline.readRuns.map((r) => r.op).sort()).toEqual(['MatMul', 'ReduceSum']);
    for (const r of result.roofline.readRuns) expect(r.bytesPerSecond.length).toBe(2 * 5);
    expect(result.roofline.bandwidth.bytesPerSecond).toBe(Math.max(...result.roofline.readRuns.flatMap((r) => r.bytesPerSecond)));

    const jsonPath = join(scratch, 'results', 'smoke.json');
    writeResultJson(jsonPath, result);
    expect(JSON.parse(readFileSync(jsonPath, 'utf8')).models[0].oracle).toHaveLength(checks.length + int8.length);
    const readme = join(scratch, 'README.md');
    updateReadme(readme, 'smoke', renderSummary(result, 'smoke'));
    updateReadme(readme, 'smoke', renderSummary(result, 'smoke'));
    const text = readFileSync(readme, 'utf8');
    expect(text.split('<!-- results:smoke:start -->')).toHaveLength(2);
    expect(text).toContain('| sciboard | 2 | ceval_5shot | 1 | 2 |');
    expect(text).toContain('| sciboard:none | 2 | decode_24_b2 | 2 | 2 |');
    expect(text).toContain('| sciboard | 2 | gsm8k_cot_8shot | 1 | 2 |');
    expect(text).toMatch(/Read bandwidth through ONNX Runtime \(1 intra-op threads, bytes read only\).*MatMul x\[1,896\]/);
    expect(text).toMatch(/Load average \(1 min\) during the run: [0-9.]+ at the start, median/);
    expect(result.ceilingViolations).toEqual([]);
    expect(text).toContain('int8 weights against float32');
    expect(text).toMatch(/fresh memory first touched at [0-9.]+ GB\/s/);
    expect(result.allocator).toContain('glibc.malloc.hugetlb=1');
    expect(text).toContain('allocator GLIBC_TUNABLES=');
    expect(text).toMatch(/\| sciboard:int8 \| ceval_5shot \| 1 \| [0-9.e+-]+ \| [0-9.]+% \| [01] \/ 1 \| – \| yes \|/);
  });
});
