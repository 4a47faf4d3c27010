/** Builds the site once and serves it on a free loopback port against a given SQLite file, for browser tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether Debian's chromium is there for the browser tests. When not, the reason is printed and they are
 * skipped; under CI=true that is an error instead, so a green CI run means the browser tests really ran.
 */
export function chromiumAvailable(what: string, path = CHROMIUM): boolean {
  if (existsSync(path)) return true;
  const reason = `${what}: ${path} not found (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it, so the browser tests fail instead of skipping`);
  console.warn(`skipping ${reason}`);
  return false;
}
const nextBin = resolve(webRoot, '../../node_modules/next/dist/bin/next');

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Builds once for every test file that asks (and not at all when the build is newer than the sources). */
export function buildSite(): void {
  const result = spawnSync(process.execPath, [resolve(webRoot, 'scripts/build-if-stale.mjs'), '--quiet'], { cwd: webRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface RunningSite {
  url: string;
  stop(): Promise<void>;
}

export async function startSite(dbFile: string, extraEnv: Record<string, string> = {}): Promise<RunningSite> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, SCIBOARD_DB: dbFile, NEXT_TELEMETRY_DISABLED: '1' };
  delete env.DATABASE_URL;
  const child: ChildProcess = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: webRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(`${url}/api/boards/science`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
