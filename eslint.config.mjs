// Lint rules that keep the layering the README's layout describes (see README "Lint"): which package may import
// which, who may touch the database drivers, and where library code may read the environment. Syntax-only
// (no type information), so the whole tree lints in seconds.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SOURCES = ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'];
/** Tests and their helpers may reach across packages (fixtures, scratch databases) and inspect the database. */
const TESTS = ['**/*.test.ts', '**/test/**', '**/testing/**', '**/testing.ts', '**/test-*.ts', 'packages/eval/src/generation/testData.ts'];

const PACKAGES = ['onnx', 'eval', 'db', 'gate', 'leaderboard', 'queue', 'datasets', 'runs', 'cli'];
const DB_DRIVERS = ['drizzle-orm', 'drizzle-orm/*', 'drizzle-kit', 'drizzle-zod', 'pg', 'better-sqlite3'];

/** Forbids importing the named workspace packages, by name or by a relative path into their folder. */
function forbidden(packages, why, extra = []) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...(packages.length
            ? [
                { group: packages.flatMap((p) => [`@sciboard/${p}`, `@sciboard/${p}/*`]), message: why },
                { regex: `^(\\.\\./)+(packages/)?(${packages.join('|')})/`, message: why },
              ]
            : []),
          ...extra,
        ],
      },
    ],
  };
}

const driversOnlyInDb = { group: DB_DRIVERS, message: 'only packages/db talks to the database: use @sciboard/db' };
// Every package stays inside its own folder and reaches others through their one public door.
const otherPackages = (self) => PACKAGES.filter((p) => p !== self);

/**
 * The files that read the environment: one module per app (the CLI's and the site's), which pass what they read
 * down as options (the engine's cache folders and profile included, as `LoadOptions.runtime`). Every other file
 * takes configuration as options.
 */
const APP_ENV = ['packages/cli/src/env.ts', 'apps/web/lib/env.ts'];
const ENV_READERS = [...APP_ENV];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.next/**', '**/.turbo/**', '**/coverage/**', 'apps/web/next-env.d.ts', 'benchmarks/models/**', '.sciboard/**', 'test-output/**', '.scratch/**'],
  },
  {
    files: SOURCES,
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // A small set of rules the tree keeps: mistakes rather than style.
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-self-assign': 'error',
      'no-self-compare': 'error',
      'no-unsafe-finally': 'error',
      'no-unreachable': 'error',
      'no-constant-binary-expression': 'error',
      'no-sparse-arrays': 'error',
      'no-empty-pattern': 'error',
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-globals': ['error', { name: 'isNaN', message: 'use Number.isNaN' }, { name: 'isFinite', message: 'use Number.isFinite' }],
      '@typescript-eslint/no-duplicate-enum-values': 'error',
      '@typescript-eslint/no-misused-new': 'error',
      '@typescript-eslint/prefer-as-const': 'error',
      '@typescript-eslint/no-unsafe-declaration-merging': 'error',
      // Shapes shared across packages are types only, so sharing them couples no package to another at run time.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: '@sciboard/contracts', message: '@sciboard/contracts holds types only: use import type', allowTypeImports: true }] },
      ],
    },
  },
  { files: ['packages/contracts/**'], rules: forbidden(PACKAGES, 'packages/contracts declares shapes and imports nothing', [driversOnlyInDb]) },

  // Layering: onnx, eval, db and gate know nothing of each other (nor of anything above them).
  { files: ['packages/onnx/**'], ignores: TESTS, rules: forbidden(otherPackages('onnx'), 'packages/onnx knows no other package', [driversOnlyInDb]) },
  { files: ['packages/eval/**'], ignores: TESTS, rules: forbidden(otherPackages('eval'), 'packages/eval knows no other package: the model and the sink are interfaces it defines', [driversOnlyInDb]) },
  { files: ['packages/db/**'], ignores: TESTS, rules: forbidden(otherPackages('db'), 'packages/db knows no other package: shared shapes are declared type-only') },
  { files: ['packages/gate/**'], ignores: TESTS, rules: forbidden(otherPackages('gate'), 'packages/gate knows no other package: it reads the store structurally', [driversOnlyInDb]) },
  { files: ['packages/datasets/**'], ignores: TESTS, rules: forbidden(otherPackages('datasets'), 'packages/datasets knows no other package', [driversOnlyInDb]) },
  // leaderboard reads db and nothing else.
  { files: ['packages/leaderboard/**'], ignores: TESTS, rules: forbidden(otherPackages('leaderboard').filter((p) => p !== 'db'), 'packages/leaderboard reads @sciboard/db only', [driversOnlyInDb]) },
  // queue moves shards between submitters and workers over the database; what a shard holds is not its business.
  { files: ['packages/queue/**'], ignores: TESTS, rules: forbidden(otherPackages('queue').filter((p) => p !== 'db'), 'packages/queue knows the database only: submissions and shards are planned and evaluated in packages/runs', [driversOnlyInDb]) },
  // runs composes the lower packages for the CLI and the site. The model is loaded by the CLI and passed in, so the
  // site (which imports runs) never loads inference code: of onnx only `@sciboard/onnx/layout`, which reads files.
  {
    files: ['packages/runs/**'],
    ignores: TESTS,
    rules: forbidden(['cli'], 'packages/runs sits below the CLI and the site', [
      driversOnlyInDb,
      { regex: '^@sciboard/onnx(?!/layout$)(/.*)?$', message: 'packages/runs runs no model itself (the caller passes loadModel): only @sciboard/onnx/layout' },
      { regex: '^(\\.\\./)+(packages/)?onnx/', message: 'packages/runs runs no model itself (the caller passes loadModel): only @sciboard/onnx/layout' },
    ]),
  },
  // The adapters reach the lower packages through runs. The CLI also loads models with onnx (whose loader it passes
  // into runs); the site imports runs alone.
  {
    files: ['packages/cli/**'],
    ignores: TESTS,
    rules: forbidden(otherPackages('cli').filter((p) => p !== 'runs' && p !== 'onnx'), 'packages/cli reaches the lower packages through @sciboard/runs (models: @sciboard/onnx)', [
      driversOnlyInDb,
      { group: ['@sciboard/web', '@sciboard/web/*'], message: 'the CLI does not import the site' },
      { group: ['@sciboard/onnx/layout'], message: 'the checkpoint layout comes through @sciboard/runs' },
    ]),
  },
  // The site never loads native inference code: runs, its one door, imports none.
  {
    files: ['apps/web/**'],
    ignores: TESTS,
    rules: forbidden(PACKAGES.filter((p) => p !== 'runs'), 'apps/web adapts @sciboard/runs to HTTP: it imports no lower package (and so no inference code) directly', [
      driversOnlyInDb,
      { group: ['@sciboard/runs/gate'], message: 'the site has no regression gate' },
      { regex: '^(\\.\\./)+packages/', message: 'import workspace packages by name (@sciboard/...)' },
    ]),
  },

  // Configuration is read once per app (cli, web) and passed down; library packages take options. (Launchers,
  // build scripts and next.config.ts are tools around the apps, not their code.)
  {
    files: ['packages/{onnx,eval,db,gate,leaderboard,queue,datasets,runs,contracts}/**', 'packages/cli/src/**', 'apps/web/{app,lib,components}/**'],
    ignores: [...TESTS, ...ENV_READERS],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: `library packages take options; the apps read the environment in ${APP_ENV.join(' and ')} and pass it down` },
      ],
    },
  },
);
