import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { loadModel, type GenerateRequest, type LoglikelihoodRequest } from '@sciboard/onnx';
import { UsageError } from '../main.ts';
import { cliEnv } from '../env.ts';
import { ProgressReporter } from '../progress.ts';
import type { Dtype } from '@sciboard/runs';
import { DTYPE_HELP, deviceOption, dtypeOption, positiveInt } from '../options.ts';

type ScoreRequest = ({ type: 'loglikelihood' } & LoglikelihoodRequest) | ({ type: 'generate' } & GenerateRequest);

/** Parses one requests-file line; errors name the file, line and field. */
export function parseRequestLine(line: string, file: string, lineNo: number): ScoreRequest {
  const where = `${file}:${lineNo}`;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where}: expected a JSON object`);
  const o = v as Record<string, unknown>;
  const str = (field: string) => {
    if (typeof o[field] !== 'string') throw new Error(`${where}: field "${field}" must be a string`);
    return o[field] as string;
  };
  if (o.type === 'loglikelihood') return { type: 'loglikelihood', context: str('context'), continuation: str('continuation') };
  if (o.type === 'generate') {
    const until = o.until ?? [];
    if (!Array.isArray(until) || !until.every((u) => typeof u === 'string')) {
      throw new Error(`${where}: field "until" must be an array of strings`);
    }
    const max = o.max_tokens ?? 256;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0) {
      throw new Error(`${where}: field "max_tokens" must be a non-negative integer`);
    }
    return { type: 'generate', context: str('context'), until, maxTokens: max };
  }
  throw new Error(`${where}: field "type" must be "loglikelihood" or "generate", got ${JSON.stringify(o.type)}`);
}

async function readRequests(file: string): Promise<ScoreRequest[]> {
  if (!existsSync(file)) throw new UsageError(`${file}: requests file not found`);
  const out: ScoreRequest[] = [];
  let lineNo = 0;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim() === '') continue;
    out.push(parseRequestLine(line, file, lineNo));
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('score')
    .description('Answer log-likelihood and generation requests from a JSONL file with an ONNX checkpoint')
    .requiredOption('--model <dir>', 'checkpoint folder (config.json, tokenizer.json, model.onnx)')
    .requiredOption('--requests <file>', 'JSONL: {"type":"loglikelihood",...} or {"type":"generate",...} per line')
    .option('--out <file>', 'write results here (JSONL, input order) instead of stdout')
    .option('--batch-size <n>', 'rows per forward pass (default: picked from the model\'s size and the free memory)', positiveInt('--batch-size'))
    .option('--device <device>', 'auto | cuda | cpu', deviceOption, 'auto')
    .option('--threads <n>', 'intra-op threads', positiveInt('--threads'))
    .option('--dtype <dtype>', DTYPE_HELP, dtypeOption)
    .action(async (opts: { model: string; requests: string; out?: string; batchSize?: number; device: 'auto' | 'cuda' | 'cpu'; threads?: number; dtype?: Dtype }) => {
      const requests = await readRequests(opts.requests);
      const model = await loadModel(opts.model, { runtime: cliEnv().engine, device: opts.device, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}), threads: opts.threads, ...(opts.dtype ? { dtype: opts.dtype } : {}) });
      process.stderr.write(
        `model ${model.name} (${model.graphFile}, ${model.dtype}): execution provider ${model.provider}${model.fallbackReason ? ` (CUDA unavailable: ${model.fallbackReason})` : ''}\n`,
      );
      try {
        const ll = requests.flatMap((r, i) => (r.type === 'loglikelihood' ? [{ i, r }] : []));
        const gen = requests.flatMap((r, i) => (r.type === 'generate' ? [{ i, r }] : []));
        const lines = new Array<string>(requests.length);
        if (ll.length) {
          const progress = new ProgressReporter('loglikelihood', 'requests');
          const res = await model.loglikelihood(ll.map((x) => x.r as LoglikelihoodRequest), { onProgress: (p) => progress.update(p.done, p.total) });
          res.forEach((r, k) => (lines[ll[k]!.i] = JSON.stringify({ logprob: r.logprob, is_greedy: r.isGreedy })));
        }
        if (gen.length) {
          const progress = new ProgressReporter('generate', 'requests');
          const res = await model.generate(gen.map((x) => x.r as GenerateRequest), { onProgress: (p) => progress.update(p.done, p.total) });
          res.forEach((r, k) => (lines[gen[k]!.i] = JSON.stringify({ text: r.text })));
        }
        const text = lines.map((l) => `${l}\n`).join('');
        if (opts.out) {
          await new Promise<void>((resolve, reject) => {
            const ws = createWriteStream(opts.out!);
            ws.on('error', reject);
            ws.end(text, () => resolve());
          });
        } else process.stdout.write(text);
      } finally {
        await model.dispose();
      }
    });
}
