#!/usr/bin/env node
// Builds the compiled CLI: one ESM bundle of packages/cli with the workspace packages inside it, plus the two
// worker-thread entries, so `sciboard` starts without compiling TypeScript. Run by the root `prepare` script
// (so `npm ci` leaves a working command) and by `npm pack` of the CLI.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cliRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(cliRoot, '../..');
const outDir = join(cliRoot, 'dist');

/** Native or large packages stay outside the bundle and are installed beside it (see pack.mjs). */
export const externalPackages = ['onnxruntime-node', 'better-sqlite3', 'pg', 'jstat'];

/**
 * Worker threads are started from `new URL('./entry.mjs', import.meta.url)` beside their host's source file;
 * inside the bundle every module shares one URL, so each host is pointed at its own compiled entry instead.
 */
const workerEntries = [
  { host: /packages[\\/]onnx[\\/]src[\\/]worker[\\/]host\.ts$/, serve: 'packages/onnx/src/worker/serve.ts', out: 'onnx-worker.mjs' },
  { host: /packages[\\/]eval[\\/]src[\\/]generation[\\/]grading[\\/]pool\.ts$/, serve: 'packages/eval/src/generation/grading/serve.ts', out: 'grading-worker.mjs' },
];
const WORKER_URL = "new URL('./entry.mjs', import.meta.url)";

const workerUrlPlugin = {
  name: 'sciboard-worker-urls',
  setup(b) {
    for (const w of workerEntries) {
      b.onLoad({ filter: w.host }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(WORKER_URL)) {
          throw new Error(`${args.path}: expected ${WORKER_URL} to point at the compiled worker; update scripts/build.mjs`);
        }
        return { contents: source.replaceAll(WORKER_URL, `new URL('./${w.out}', import.meta.url)`), loader: 'ts' };
      });
    }
  },
};

// CommonJS packages inside an ESM bundle still call require() for Node's built-ins.
const banner = {
  js: "import { createRequire as __sciboardCreateRequire } from 'node:module'; const require = __sciboardCreateRequire(import.meta.url);",
};

/** The command list is fixed at build time from the commands folder, as main.ts reads it from the sources. */
function entrySource() {
  const files = readdirSync(join(cliRoot, 'src/commands'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  const imports = files.map((f, i) => `import * as c${i} from './src/commands/${f}';`).join('\n');
  return `${imports}
import { main } from './src/main.ts';
process.exitCode = await main(process.argv.slice(2), [${files.map((_, i) => `c${i}`).join(', ')}]);
`;
}

export async function buildCli({ quiet = false } = {}) {
  const started = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'bin'), { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: externalPackages,
    banner,
    plugins: [workerUrlPlugin],
    logLevel: 'error',
    legalComments: 'none',
    // Less to parse at every start; identifiers keep their names so errors and stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    // Workspace packages export their TypeScript sources; esbuild compiles them like the CLI's own.
    conditions: ['node', 'import'],
  };
  await build({
    ...common,
    stdin: { contents: entrySource(), resolveDir: cliRoot, sourcefile: 'sciboard-entry.ts', loader: 'ts' },
    outfile: join(outDir, 'bin/sciboard.mjs'),
  });
  for (const w of workerEntries) {
    await build({ ...common, entryPoints: [join(repoRoot, w.serve)], outfile: join(outDir, 'bin', w.out) });
  }
  // Files the bundled db and eval packages read beside themselves (their package root becomes dist/).
  cpSync(join(repoRoot, 'packages/db/drizzle'), join(outDir, 'drizzle'), { recursive: true });
  cpSync(join(repoRoot, 'packages/db/data'), join(outDir, 'data'), { recursive: true });
  cpSync(join(repoRoot, 'packages/eval/samples'), join(outDir, 'samples'), { recursive: true });
  writeFileSync(join(outDir, 'BUILT'), `${new Date().toISOString()}\n`);
  if (!quiet) process.stderr.write(`sciboard: built ${join('packages/cli/dist/bin', 'sciboard.mjs')} in ${Date.now() - started} ms\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli({ quiet: process.argv.includes('--quiet') });
}
