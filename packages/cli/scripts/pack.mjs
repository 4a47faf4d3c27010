#!/usr/bin/env node
// Packs the sciboard command as an npm tarball that installs outside the monorepo: the compiled bundle (the
// workspace packages are inside it) plus the native and runtime-loaded packages as ordinary dependencies.
// Usage: node packages/cli/scripts/pack.mjs [--out DIR]  → prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, externalPackages } from './build.mjs';

const cliRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(cliRoot, '../..');

/** Each external package at the exact version the workspace pins it to. */
function externalVersions() {
  const versions = {};
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(repoRoot, dir))) {
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(repoRoot, dir, name, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
        if (externalPackages.includes(dep) && !versions[dep]) versions[dep] = range;
      }
    }
  }
  // pg-native is pg's optional accelerator, never installed by the workspace either.
  return Object.fromEntries(Object.entries(versions).sort());
}

export async function packCli(outDir) {
  await buildCli({ quiet: true });
  const cli = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8'));
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const stage = mkdtempSync(join(tmpdir(), 'sciboard-pack-'));
  try {
    cpSync(join(cliRoot, 'dist'), join(stage, 'dist'), { recursive: true });
    mkdirSync(join(stage, 'bin'));
    cpSync(join(cliRoot, 'bin/sciboard.mjs'), join(stage, 'bin/sciboard.mjs'));
    cpSync(join(repoRoot, 'packages/eval/samples'), join(stage, 'samples'), { recursive: true });
    writeFileSync(
      join(stage, 'package.json'),
      `${JSON.stringify(
        {
          name: 'sciboard',
          version: cli.version,
          description: 'Score language-model checkpoints on science and math suites exactly as lm-evaluation-harness does.',
          type: 'module',
          bin: { sciboard: 'bin/sciboard.mjs' },
          files: ['bin', 'dist', 'samples'],
          engines: root.engines,
          // The repository states no licence yet; the tarball claims none either.
          license: 'UNLICENSED',
          dependencies: externalVersions(),
        },
        null,
        2,
      )}\n`,
    );
    writeFileSync(
      join(stage, 'README.md'),
      '# sciboard\n\n`npx sciboard --help`. Install with `ONNXRUNTIME_NODE_INSTALL=skip` to keep onnxruntime-node from downloading CUDA libraries; the CPU provider ships in the package. Sample suites are under `samples/`.\n',
    );
    mkdirSync(outDir, { recursive: true });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', resolve(outDir)], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return join(resolve(outDir), JSON.parse(out)[0].filename);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  process.stdout.write(`${await packCli(at > 0 ? process.argv[at + 1] : '.')}\n`);
}
