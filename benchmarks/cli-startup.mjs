#!/usr/bin/env node
// How long `sciboard --help` takes from a cold process: the compiled bundle (what `npx sciboard` runs after
// `npm ci`) against the TypeScript sources through tsx (what ran before the bundle). Interleaved rounds,
// medians reported; nothing is asserted. Usage: node benchmarks/cli-startup.mjs [--rounds N]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = join(repo, 'packages/cli/bin/sciboard.mjs');
const bundle = join(repo, 'packages/cli/dist/bin/sciboard.mjs');
const at = process.argv.indexOf('--rounds');
const rounds = at > 0 ? Number(process.argv[at + 1]) : 9;

if (!existsSync(bundle)) spawnSync(process.execPath, [join(repo, 'packages/cli/scripts/build.mjs')], { stdio: 'inherit' });
// Built now, so the launcher's freshness check finds the bundle current (unless a source changes meanwhile).
spawnSync(process.execPath, [join(repo, 'packages/cli/scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });

const variants = {
  'bundle (node dist/bin/sciboard.mjs)': { args: [bundle, '--help'], env: {} },
  // The launcher as npx runs it; =0 skips its source-freshness check, which other edits in a shared checkout
  // would otherwise send to the tsx path mid-benchmark. The check itself is timed below.
  'launcher (bin/sciboard.mjs, SCIBOARD_FROM_SOURCES=0)': { args: [launcher, '--help'], env: { SCIBOARD_FROM_SOURCES: '0' } },
  'launcher with its freshness check (unset)': { args: [launcher, '--help'], env: {} },
  'sources through tsx (SCIBOARD_FROM_SOURCES=1)': { args: [launcher, '--help'], env: { SCIBOARD_FROM_SOURCES: '1' } },
  'node -e 0 (the floor)': { args: ['-e', '0'], env: {} },
};

const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, v] of Object.entries(variants)) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(process.execPath, v.args, { env: { ...process.env, ...v.env }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 0) throw new Error(`${name} exited ${res.status}: ${res.stderr}`);
    times[name].push(ms);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${rounds} interleaved rounds`);
console.log('| variant | median ms | min ms | max ms |');
console.log('| --- | --- | --- | --- |');
for (const [name, xs] of Object.entries(times)) {
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`);
}
