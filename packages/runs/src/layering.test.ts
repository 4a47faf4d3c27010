/**
 * The workspace's import graph, read from the sources: the adapters (packages/cli, apps/web) reach the lower
 * packages through @sciboard/runs, and every arrow points down. And the lint rules that keep it so fire.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Each workspace package's level: an import may only point at a lower level. */
const LEVEL: Record<string, number> = {
  contracts: 0,
  onnx: 1,
  eval: 1,
  db: 1,
  gate: 1,
  datasets: 1,
  leaderboard: 2,
  queue: 2,
  runs: 3,
  cli: 4,
  web: 4,
};
const FOLDER: Record<string, string> = Object.fromEntries(Object.keys(LEVEL).map((p) => [p, p === 'web' ? 'apps/web' : `packages/${p}`]));

const isTest = (path: string) => /\.test\.tsx?$|\/test\/|\/testing(\/|\.ts$)|\/test-[^/]*\.ts$|testData\.ts$/.test(path);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.next', 'dist', '.turbo'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
  file: string;
}

/** Every import (and re-export) of a workspace package by the shipped (non-test) sources. */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const [pkg, folder] of Object.entries(FOLDER)) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      const rel = relative(ROOT, file);
      if (isTest(rel)) continue;
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]@sciboard\/([a-z-]+)(?:\/[^'"]*)?['"]/gm)) {
        const to = m[3]!;
        if (to !== pkg) edges.push({ from: pkg, to, typeOnly: Boolean(m[2]), file: rel });
      }
    }
  }
  return edges;
}

describe('the import graph', () => {
  const edges = importEdges();

  it('is read from the sources (the reader finds the arrows it is meant to find)', () => {
    const pairs = new Set(edges.map((e) => `${e.from}->${e.to}`));
    for (const expected of ['cli->runs', 'web->runs', 'runs->db', 'runs->eval', 'queue->db', 'leaderboard->db', 'cli->onnx']) expect(pairs).toContain(expected);
  });

  it('points down only', () => {
    const up = edges.filter((e) => LEVEL[e.to] === undefined || LEVEL[e.to]! >= LEVEL[e.from]!);
    expect(up.map((e) => `${e.file}: ${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('puts runs between the adapters and the lower packages: the site imports runs alone, the CLI runs and the model loader', () => {
    const allowed: Record<string, string[]> = { web: ['runs'], cli: ['runs', 'onnx'] };
    const past = edges.filter((e) => allowed[e.from] && !allowed[e.from]!.includes(e.to) && !(e.to === 'contracts' && e.typeOnly));
    expect(past.map((e) => `${e.file}: ${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('is what each package.json declares', () => {
    const missing: string[] = [];
    for (const [pkg, folder] of Object.entries(FOLDER)) {
      const manifest = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      for (const e of edges.filter((x) => x.from === pkg && !x.typeOnly)) {
        if (!declared.has(`@sciboard/${e.to}`)) missing.push(`${folder}/package.json lacks @sciboard/${e.to} (imported by ${e.file})`);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe('the lint rules that keep it', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const errorsOf = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
    return result!.messages.filter((m) => m.severity === 2).map((m) => m.message);
  };

  it('refuse a lower package in the site and the CLI, and accept runs', async () => {
    expect(await errorsOf('apps/web/lib/probe.ts', "import { openDb } from '@sciboard/db';\nexport const x = openDb;\n")).toEqual([expect.stringContaining('apps/web adapts @sciboard/runs')]);
    expect(await errorsOf('packages/cli/src/probe.ts', "import { buildBoard } from '@sciboard/leaderboard';\nexport const x = buildBoard;\n")).toEqual([
      expect.stringContaining('packages/cli reaches the lower packages through @sciboard/runs'),
    ]);
    expect(await errorsOf('apps/web/lib/probe.ts', "import { openDb } from '@sciboard/runs';\nexport const x = openDb;\n")).toEqual([]);
    expect(await errorsOf('packages/cli/src/probe.ts', "import { loadModel } from '@sciboard/onnx';\nexport const x = loadModel;\n")).toEqual([]);
  });

  it('refuse an arrow back up', async () => {
    expect(await errorsOf('packages/db/src/probe.ts', "import { openRunRecords } from '@sciboard/runs';\nexport const x = openRunRecords;\n")).toHaveLength(1);
    expect(await errorsOf('packages/runs/src/probe.ts', "import { main } from '@sciboard/cli';\nexport const x = main;\n")).toHaveLength(1);
  });
});
