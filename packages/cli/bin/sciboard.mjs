#!/usr/bin/env node
// Runs the compiled bundle (dist/bin/sciboard.mjs, built by `npm ci`'s prepare step or scripts/build.mjs).
// Inside the repository, a bundle older than any workspace source is not trusted: the TypeScript sources run
// through tsx instead, so an edit takes effect without a rebuild (rebuild with `npm run build:cli`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(cliRoot, 'dist/bin/sciboard.mjs');
const sources = join(cliRoot, 'src');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSourceMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsCurrent() {
  if (!existsSync(bundle)) return false;
  if (!existsSync(sources)) return true; // an installed package ships the bundle only
  const built = statSync(join(cliRoot, 'dist/BUILT')).mtimeMs;
  const packagesDir = join(cliRoot, '..');
  for (const pkg of readdirSync(packagesDir)) {
    const src = join(packagesDir, pkg, 'src');
    if (existsSync(src) && newestSourceMtime(src) > built) return false;
  }
  return true;
}

// SCIBOARD_FROM_SOURCES=1 always runs the sources, =0 always the bundle (when built); unset, the newer wins.
const fromSources = process.env.SCIBOARD_FROM_SOURCES;
if (fromSources === '0' ? existsSync(bundle) : fromSources !== '1' && bundleIsCurrent()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
