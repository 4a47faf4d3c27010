/**
 * Closing the grading pool ends its workers and returns, however late their messages arrive: run in a process of
 * its own, where the pool's workers are all that keep it alive, a top-level `await pool.close()` must settle (a
 * close that left a terminating worker unref'd let the process end first, with Node's code 13 for an unsettled
 * top-level await).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pool = new URL('./pool.ts', import.meta.url).href;

function runScript(body: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'sciboard-pool-close-')), 'close.mts');
  writeFileSync(file, `import { GradingPool } from ${JSON.stringify(pool)};\n${body}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('GradingPool.close', () => {
  it('returns to a top-level await when a worker answers after close() began', () => {
    // The worker is idle (unref'd) when close() starts, and a message from it arrives while it is terminated.
    const r = runScript(`
const pool = new GradingPool({ size: 1 });
console.log('verdict', (await pool.minerva('1', '1')).equal);
const [slot] = pool['slots'];
const closing = pool.close();
slot.worker.emit('message', { type: 'ready' });
await closing;
console.log('closed');
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('verdict true\nclosed\n');
    expect(r.status).toBe(0);
  });

  it('returns when workers are still starting', () => {
    const r = runScript(`
const pool = new GradingPool({ size: 2 });
const checks = [pool.minerva('1', '1'), pool.mathVerify('$\\\\boxed{1}$', '$1$')].map((p) => p.catch((e) => e.message));
await pool.close();
console.log((await Promise.all(checks)).join('|'));
`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('grading pool is closed|grading pool is closed\n');
    expect(r.status).toBe(0);
  });
});
