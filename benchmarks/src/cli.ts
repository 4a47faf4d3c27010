/** `npm run bench [-- --quick] [--rounds N] [--threads N] [--name NAME] [--data-dir DIR] [--no-readme] [--no-huge-pages]` */
import { join } from 'node:path';
import { benchmarksDir, parseArgs, runBenchmark } from './main.ts';
import { planFor } from './plan.ts';
import { renderSummary, updateReadme, writeResultJson } from './report.ts';

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const full = planFor(cli.mode, cli.rounds);
  const unknown = (cli.models ?? []).filter((m) => !full.models.some((p) => p.shape === m));
  if (unknown.length > 0) throw new Error(`--models: no model ${unknown.join(', ')} in the ${cli.mode} plan (it has ${full.models.map((p) => p.shape).join(', ')})`);
  const plan = cli.models ? { ...full, models: full.models.filter((p) => cli.models!.includes(p.shape)) } : full;
  console.log(`sciboard benchmark: ${cli.mode} mode, ${plan.rounds} rounds, ${cli.threads} threads, data ${cli.dataDir}`);
  const result = await runBenchmark({
    plan,
    threads: cli.threads,
    dataDir: cli.dataDir,
    sharedDir: cli.sharedDir,
    cacheDir: join(benchmarksDir, '.cache'),
    projections: true,
    hugePages: cli.hugePages,
  });
  const jsonPath = join(benchmarksDir, 'results', `${cli.name}.json`);
  writeResultJson(jsonPath, result);
  const summary = renderSummary(result, cli.name);
  // Quick runs are smoke tests on a shared machine: they only update the README when asked by name.
  if (cli.readme && (cli.mode === 'full' || cli.name !== 'quick')) updateReadme(join(benchmarksDir, 'README.md'), cli.name, summary);
  console.log(`\n${summary}\n\nwrote ${jsonPath} in ${Math.round(result.wallSeconds)} s`);
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
