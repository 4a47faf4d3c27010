/**
 * The packed CLI installs and runs outside the monorepo: `npm pack` of the compiled command, `npm install` of
 * the tarball into an empty folder (the registry supplies only the native and runtime-loaded packages), then
 * `npx sciboard` writes a tiny model, evaluates it on a sample suite, grades MATH answers in its grading
 * worker threads and evaluates a queued submission in its inference worker thread: both worker entries start
 * from the bundle. Slow (an install, with better-sqlite3 compiled where no prebuilt binary downloads).
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');

describe('the packed CLI', () => {
  it('installs from its tarball into an empty folder and runs there', { timeout: 30 * 60_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'sciboard-install-'));
    // Nothing of the repository leaks in: no workspace paths, no repository settings.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ONNXRUNTIME_NODE_INSTALL: 'skip',
      SCIBOARD_CACHE: join(work, 'cache'),
      SCIBOARD_DB: join(work, 'sciboard.db'),
      HF_HUB_OFFLINE: '1',
      ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
    };
    const run = (cmd: string, args: string[], opts: SpawnSyncOptions = {}) => {
      const r = spawnSync(cmd, args, { cwd: join(work, 'app'), env, encoding: 'utf8', timeout: 25 * 60_000, ...opts });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      return { stdout: String(r.stdout), stderr: String(r.stderr) };
    };

    const packed = run(process.execPath, [join(repo, 'packages/cli/scripts/pack.mjs'), '--out', work], { cwd: repo });
    const tarball = packed.stdout.trim().split('\n').pop()!;
    expect(tarball).toMatch(/sciboard-\d+\.\d+\.\d+\.tgz$/);

    const app = join(work, 'app');
    run('mkdir', ['-p', app], { cwd: work });
    writeFileSync(join(app, 'package.json'), '{ "name": "sciboard-install-check", "private": true }\n');
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball]);
    expect(existsSync(join(app, 'node_modules/@sciboard'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/tsx'))).toBe(false);

    expect(run('npx', ['sciboard', '--help']).stdout).toMatch(/Usage: sciboard/);
    run('npx', ['sciboard', 'tiny-model', '--out', 'tiny']);
    const suite = join(app, 'node_modules/sciboard/samples/arithmetic.yaml');
    const evaluated = run('npx', ['sciboard', 'eval', '--model', 'tiny', '--tasks', suite, '--limit', '4', '--output', 'out']);
    expect(evaluated.stdout).toMatch(/sample_arithmetic/);
    const results = JSON.parse(readFileSync(join(app, 'out/results.json'), 'utf8'));
    expect(results.results.sample_arithmetic).toBeDefined();
    expect(results['n-samples'].sample_arithmetic.effective).toBe(4);

    // MATH grading runs in worker threads started from the bundle's own entry.
    writeFileSync(
      join(app, 'math.jsonl'),
      [
        { completion: 'So the answer is $\\frac{1}{2}$.\nFinal Answer: The final answer is $\\frac12$. I hope it is correct.', doc: { problem: 'p', solution: 'It is $\\boxed{\\frac{1}{2}}$.' } },
        { completion: 'Final Answer: The final answer is $3$. I hope it is correct.', doc: { problem: 'p', solution: 'It is $\\boxed{4}$.' } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    run('npx', ['sciboard', 'grade', '--task', 'minerva_math', '--in', 'math.jsonl', '--out', 'graded.jsonl']);
    const graded = readFileSync(join(app, 'graded.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(graded).toHaveLength(2);
    expect(JSON.stringify(graded[0])).not.toEqual(JSON.stringify(graded[1]));

    // A queued submission is evaluated by the worker, whose model runs in the bundle's inference worker thread.
    run('npx', ['sciboard', 'submit', 'tiny', '--name', 'installed-tiny', '--tasks', suite, '--limit', '2']);
    run('npx', ['sciboard', 'worker', '--until-idle', '--device', 'cpu']);
    expect(run('npx', ['sciboard', 'runs', '--format', 'json']).stdout).toMatch(/installed-tiny/);
  });
});
