/** Test helpers: where the shared datasets are, and a deterministic model. Not part of the public API. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerateRequest, GenerateResult, LanguageModel, LoglikelihoodRequest, LoglikelihoodResult } from '../model.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export const sharedDir = resolve(repoRoot, process.env.SCIBOARD_SHARED_DIR ?? '../shared');
export const sharedDataDir = join(sharedDir, 'data');
export const samplesDir = resolve(repoRoot, 'packages/eval/samples');

/**
 * A test's prerequisite (a shared fixture, a tool) is missing: printed and returned on a developer machine so
 * the caller skips; under CI=true an error, so a green CI run means every such test ran.
 */
export function skipOrFail(reason: string): string {
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it, so the tests that need it fail instead of skipping`);
  console.warn(`skipped: ${reason}`);
  return reason;
}

/** Null when the shared data is present; otherwise the reason tests using it are skipped (printed once). */
export function sharedDataMissing(what = 'data'): string | null {
  const path = join(sharedDir, what);
  if (existsSync(path)) return null;
  const reason = `skipped: ${path} not found (set SCIBOARD_SHARED_DIR to the shared folder)`;
  // Under CI the shared data is part of the setup: its absence is a failure, not a reason to skip.
  if (process.env.CI === 'true') throw new Error(`${path} not found under CI=true (set SCIBOARD_SHARED_DIR to the shared folder)`);
  console.warn(reason);
  return reason;
}

function hashUnit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** A model whose answers depend only on its inputs, so runs can be compared byte for byte. */
export class HashModel implements LanguageModel {
  calls = 0;
  async loglikelihood(requests: LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    this.calls++;
    return requests.map((r) => {
      const u = hashUnit(`${r.context}\u0000${r.continuation}`);
      return { logprob: -0.1 - 10 * u, isGreedy: u < 0.1 };
    });
  }
  async generate(requests: GenerateRequest[]): Promise<GenerateResult[]> {
    this.calls++;
    return requests.map((r) => {
      const u = hashUnit(r.context);
      if (u < 0.25) return { text: ' I am not sure what this asks', finishReason: 'length' };
      const n = Math.floor(u * 100);
      return { text: ` Working it out gives ${n}. The answer is ${n}.`, finishReason: 'stop' };
    });
  }
}
