import { existsSync, openAsBlob } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  checkCheckpointLayout,
  checkpointContentHash,
  type Dtype,
  type EnqueueOutcome,
  enqueueSubmission,
  graphVariantFiles,
  openDb,
  openShardQueue,
  parseParams,
  resolveTarget,
  shardSizeProblem,
  SubmissionError,
  submissionFields,
  type SubmissionFields,
  submissionRequest,
} from '@sciboard/runs';
import { loadModel } from '@sciboard/onnx';
import { cliEnv } from '../env.ts';
import { UsageError } from '../main.ts';
import { DTYPE_HELP, dtypeOption, positiveInt } from '../options.ts';
import { chooseDataDir } from '../dataDir.ts';
import { addPromptOptions, promptSettings, type PromptOptions } from '../promptOptions.ts';

export interface SubmitOptions extends PromptOptions {
  name: string;
  /** Which published graph of the folder the workers load (transformers.js's precision names); default fp32. */
  dtype?: Dtype;
  params?: string;
  family?: string;
  license?: string;
  revision?: string;
  board?: string;
  tasks?: string;
  limit?: number;
  shardSize?: number;
  dataDir?: string;
  server?: string;
  token?: string;
}

/**
 * The submission's fields, checked by the schema the site's form and API use (`name` trimmed, lists split); a
 * field it refuses is refused as the site refuses it, naming the field (exit 1, like every refused submission).
 */
function fieldsOf(opts: SubmitOptions): SubmissionFields {
  const { name, params, family, license, revision, board, tasks, limit, shardSize, dtype } = opts;
  const parsed = submissionFields.safeParse({ name, params, family, license, revision, boards: board, tasks, limit, shardSize, dtype });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? 'name');
  throw new SubmissionError(`${field}: ${issue.message}`, field);
}

/** `--shard-size`: the rule the site's API and form apply to `shardSize` too. */
function shardSizeOption(value: string): number {
  const problem = shardSizeProblem(value);
  if (problem) throw new InvalidArgumentError(`--shard-size ${problem}`);
  return Number(value);
}

/** Loads the graph and tokenizer on CPU once, so a broken checkpoint is refused before any work is queued. */
async function checkLoads(dir: string, dtype: Dtype | undefined): Promise<void> {
  try {
    const model = await loadModel(dir, { device: 'cpu', batchSize: 1, runtime: cliEnv().engine, ...(dtype ? { dtype } : {}) });
    await model.dispose();
  } catch (err) {
    throw new SubmissionError(`checkpoint: ${dir} does not load: ${(err as Error).message}`, 'checkpoint');
  }
}

/** The files a site accepts in an upload: the top-level JSON files and the graph with its external weights. */
function uploadFiles(dir: string, graphPath: string): string[] {
  const top = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja']
    .map((f) => join(dir, f))
    .filter((p) => existsSync(p));
  return [...top, ...graphVariantFiles(graphPath)];
}

/** Uploads the checkpoint's files with the submission's fields to the site's API. */
async function submitToServer(dir: string, graphPath: string, opts: SubmitOptions): Promise<Record<string, unknown>> {
  if (!opts.token) throw new UsageError('--server needs --token (create one with `sciboard token create` on the server)');
  const url = new URL('/api/submissions', opts.server);
  const form = new FormData();
  // The chosen graph is uploaded under its own flat name (model_q4.onnx), which the site's dtype field selects again.
  const fields = { name: opts.name, params: opts.params, family: opts.family, license: opts.license, revision: opts.revision, boards: opts.board, tasks: opts.tasks, limit: opts.limit, shardSize: opts.shardSize, dtype: opts.dtype };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) form.set(key, String(value));
  // The prompt settings as the API's fields (values the site parses exactly as this command line does).
  const s = promptSettings(opts);
  if (s.applyChatTemplate) form.set('applyChatTemplate', String(s.applyChatTemplate));
  if (s.systemInstruction !== undefined) form.set('systemInstruction', s.systemInstruction);
  if (s.applyChatTemplate) form.set('fewshotAsMultiturn', String(s.fewshotAsMultiturn));
  if (s.genKwargs) form.set('genKwargs', JSON.stringify(s.genKwargs));
  if (s.seed) form.set('seed', [s.seed.random_seed, s.seed.numpy_seed, s.seed.torch_seed, s.seed.fewshot_seed].map((v) => (v === null ? 'None' : String(v))).join(','));
  // Blobs backed by the files: the weights are streamed, never read into memory whole.
  for (const file of uploadFiles(dir, graphPath)) form.append('files', await openAsBlob(file), basename(file));
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${opts.token}` }, body: form }).catch((err: Error) => {
    throw new Error(`cannot reach ${url}: ${err.message}`);
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url} refused the submission (${response.status}): ${String(answer.error ?? response.statusText)}`);
  const submission = answer.submission as { id: number; status: string } | undefined;
  process.stderr.write(
    answer.duplicate ? `already submitted: submission ${submission?.id} on ${opts.server}\n` : `submission ${submission?.id} queued on ${opts.server} (${String(answer.shards)} shards)\n`,
  );
  return answer;
}

function describe(outcome: EnqueueOutcome): { line: string; json: Record<string, unknown> } {
  const { submission } = outcome;
  if (outcome.kind === 'duplicate') {
    return {
      line: `already submitted: submission ${submission.id} (${submission.status}) has this checkpoint and configuration; its runs: ${outcome.runIds.join(', ')}`,
      json: { submission: submission.id, status: submission.status, duplicate: true, runs: outcome.runIds },
    };
  }
  const runs = [...new Set(outcome.shards.map((s) => s.runId))];
  return {
    line: `submission ${submission.id} queued: ${outcome.shards.length} shards over ${runs.length} runs (${runs.join(', ')}); run \`sciboard worker\` to evaluate them`,
    json: { submission: submission.id, status: submission.status, duplicate: false, runs, shards: outcome.shards.length },
  };
}

export async function submit(dirArg: string, opts: SubmitOptions): Promise<Record<string, unknown>> {
  if (opts.board && opts.tasks) throw new UsageError('give --board or --tasks, not both');
  const dir = resolve(dirArg);
  if (opts.token && !opts.server) throw new UsageError('--token is for --server');
  const fields = fieldsOf(opts);
  const params = fields.params === undefined ? undefined : parseParams(fields.params);
  const settings = promptSettings(opts);
  const layout = checkCheckpointLayout(dir, params, opts.dtype);
  await checkLoads(dir, opts.dtype);
  if (opts.server) return submitToServer(dir, layout.graphPath, opts);
  const contentHash = await checkpointContentHash(dir);
  const env = cliEnv();
  const store = await openDb(env.database);
  try {
    const target = resolveTarget(env.database);
    const queue = await openShardQueue(store, { url: target.dialect === 'postgres' ? target.url : undefined, leaseSeconds: env.leaseSeconds });
    try {
      const dataDir = chooseDataDir(opts.dataDir, { needed: false, withCheckoutData: true });
      const request = submissionRequest(fields, { checkpoint: dir, contentHash, params, settings, tasks: fields.tasks, dataDir, submittedBy: env.user });
      const outcome = await enqueueSubmission(store, queue, request);
      const { line, json } = describe(outcome);
      process.stderr.write(`${line}\n`);
      return json;
    } finally {
      await queue.close();
    }
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const command = program
    .command('submit')
    .description('Check a checkpoint and queue its evaluation (locally, or through a site with --server)')
    .argument('<dir>', 'checkpoint folder (config.json, tokenizer.json, ONNX graph)')
    .requiredOption('--name <name>', 'model name shown on the boards')
    .option('--params <size>', 'parameter count, e.g. 6.2B, 350M (checked against the weights)')
    .option('--family <family>', 'model family')
    .option('--license <license>', 'license of the weights')
    .option('--revision <revision>', 'revision (commit, tag, step)')
    .option('--board <boards>', 'boards whose subsets to run, comma-separated (default: science,math)')
    .option('--tasks <list>', 'tasks, groups or suite files to run instead of the boards, comma-separated')
    .option('--limit <n>', 'first N documents of each task (smoke tests, CI)', positiveInt('--limit'))
    .option('--shard-size <n>', 'documents per item-range shard, so several workers share one task (default: 64 for generation tasks, 1000 for multiple choice)', shardSizeOption)
    .option('--data-dir <dir>', 'datasets folder used to count each task\'s documents (default: as `sciboard worker`)')
    .option('--server <url>', 'upload the checkpoint to this site’s API instead of queueing in the local database')
    .option('--token <token>', 'API token for --server')
    .option('--dtype <dtype>', DTYPE_HELP, dtypeOption);
  addPromptOptions(command).action(async (dir: string, opts: SubmitOptions) => {
      const json = await submit(dir, opts);
      process.stdout.write(`${JSON.stringify(json)}\n`);
    });
}
