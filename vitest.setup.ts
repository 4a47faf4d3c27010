// Property tests (fast-check) explore new inputs on every local run. Under CI they replay one fixed seed, so a CI
// run passes or fails on the code alone; FAST_CHECK_SEED picks another seed anywhere (to replay a counterexample's
// seed, which fast-check prints with it).
import fc from 'fast-check';

const seed = process.env.FAST_CHECK_SEED ?? (process.env.CI === 'true' ? '20261203' : undefined);
if (seed !== undefined) {
  if (!/^-?\d+$/.test(seed)) throw new Error(`FAST_CHECK_SEED must be an integer, got "${seed}"`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
}
