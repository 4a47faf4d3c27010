/**
 * `npm run bench [-- --quick] [--rounds N] [--threads N] [--name NAME] [--data-dir DIR] [--no-readme] [--no-huge-pages]
 * [--models A,B] [--peers A,B] [--skip-units | --units-only] [--unit-rounds N] [--eval-batch N] [--max-load L]`
 */
import { join } from 'node:path';
import { benchmarksDir, evalDefaultBatch, parseArgs, runBenchmark, waitForQuiet } from './main.ts';
import { planFor, unitsOnly } from './plan.ts';
import { renderSummary, updateReadme, writeResultJson } from './report.ts';

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const cacheDir = join(benchmarksDir, '.cache');
  if (cli.maxLoad !== undefined) await waitForQuiet(cli.maxLoad, (line) => console.log(line));
  const picked = cli.evalBatch
    ? { batchSize: cli.evalBatch, reason: `--eval-batch ${cli.evalBatch}` }
    : await evalDefaultBatch({ cacheDir, sharedDir: cli.sharedDir, threads: cli.threads, hugePages: cli.hugePages });
  const evalBatch = picked.batchSize;
  const planned = planFor(cli.mode, cli.rounds, { evalBatch, units: cli.units !== 'skip', ...(cli.unitRounds ? { unitRounds: cli.unitRounds } : {}) });
  const full = cli.units === 'only' ? unitsOnly(planned) : planned;
  const unknown = (cli.models ?? []).filter((m) => !full.models.some((p) => p.shape === m));
  if (unknown.length > 0) throw new Error(`--models: no model ${unknown.join(', ')} in the ${cli.mode} plan (it has ${full.models.map((p) => p.shape).join(', ')})`);
  const chosen = cli.models ? { ...full, models: full.models.filter((p) => cli.models!.includes(p.shape)) } : full;
  const labels = new Set(chosen.models.flatMap((m) => m.peers.map((p) => p.label)));
  const unknownPeers = (cli.peers ?? []).filter((p) => !labels.has(p));
  if (unknownPeers.length > 0) throw new Error(`--peers: no peer ${unknownPeers.join(', ')} in this plan (it has ${[...labels].join(', ')})`);
  // A subset of peers: ratios against a peer left out are then not formed (the report says "not run by both peers").
  const plan = cli.peers
    ? { ...chosen, models: chosen.models.map((m) => ({ ...m, peers: m.peers.filter((p) => cli.peers!.includes(p.label)) })).filter((m) => m.peers.length > 0) }
    : chosen;
  if (plan.models.length === 0) throw new Error(`nothing to run: no model of the ${cli.mode} plan has ${cli.units === 'only' ? 'timed units' : 'work'}${cli.models ? ` among ${cli.models.join(', ')}` : ''}`);
  console.log(
    `sciboard benchmark: ${cli.mode} mode, ${plan.rounds} rounds (units in ${plan.unitRounds}), ${cli.threads} threads, sciboard eval's default batch ${evalBatch}, data ${cli.dataDir}`,
  );
  console.log(`default batch: ${picked.reason}`);
  const result = await runBenchmark({
    plan: { ...plan, evalBatchReason: picked.reason },
    threads: cli.threads,
    dataDir: cli.dataDir,
    sharedDir: cli.sharedDir,
    cacheDir,
    projections: true,
    hugePages: cli.hugePages,
  });
  const jsonPath = join(benchmarksDir, 'results', `${cli.name}.json`);
  writeResultJson(jsonPath, result);
  const summary = renderSummary(result, cli.name);
  console.log(`\n${summary}\n\nwrote ${jsonPath} in ${Math.round(result.wallSeconds)} s`);
  if (result.ceilingViolations.length > 0) {
    // A share above 100% means a probe ran slower than the machine can: every share and floor of the run is wrong.
    console.error(`\nCEILING WRONG: measured faster than the roofline allows — ${result.ceilingViolations.join('; ')}. The README is not updated.`);
    process.exitCode = 1;
    return;
  }
  // Quick runs are smoke tests on a shared machine: they only update the README when asked by name.
  if (cli.readme && (cli.mode === 'full' || cli.name !== 'quick')) updateReadme(join(benchmarksDir, 'README.md'), cli.name, summary);
  // int8 is judged by its tolerance in the report, not here: identity is what the float32 engine owes.
  const failed = result.models.flatMap((m) => m.oracle).filter((o) => o.label.startsWith('sciboard') && !o.approximate && !o.pass);
  if (failed.length > 0) {
    console.error(`engine results differ from the naive oracle: ${failed.map((f) => `${f.label} on ${f.workload}`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
