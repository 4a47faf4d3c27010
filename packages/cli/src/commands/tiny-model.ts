import type { Command } from 'commander';
import { TINY_DTYPES, tinyModelPresets, writeTinyModel, type TinyDtype, type TinyModelOptions } from '@sciboard/onnx';
import { UsageError } from '../main.ts';
import { positiveInt, nonNegativeInt } from '../options.ts';

type Preset = keyof typeof tinyModelPresets;

export function register(program: Command): void {
  program
    .command('tiny-model')
    .description('Write a seeded random Llama-style ONNX decoder with a byte-level tokenizer (for tests, demos, benchmarks)')
    .requiredOption('--out <dir>', 'folder to write the checkpoint into')
    .option('--preset <name>', `starting shape: ${Object.keys(tinyModelPresets).join(' | ')}`, 'test')
    .option('--layers <n>', 'decoder layers', positiveInt('--layers'))
    .option('--hidden <n>', 'hidden size', positiveInt('--hidden'))
    .option('--heads <n>', 'attention heads', positiveInt('--heads'))
    .option('--kv-heads <n>', 'key/value heads (fewer than --heads: grouped-query attention)', positiveInt('--kv-heads'))
    .option('--intermediate <n>', 'MLP width', positiveInt('--intermediate'))
    .option('--vocab <n>', 'vocabulary size', positiveInt('--vocab'))
    .option('--seed <n>', 'random seed (same options, same bytes)', nonNegativeInt('--seed'))
    .option('--add-bos', 'a tokenizer that puts a BOS token before every sequence, as Llama 3 does')
    .option('--external-data', 'write the weights to model.onnx_data beside the graph')
    .option('--dtype <list>', `write these precisions in the transformers.js layout (onnx/model.onnx, onnx/model_fp16.onnx, …): ${TINY_DTYPES.join(',')}`)
    .action(async (opts: Record<string, unknown> & { out: string; preset: string; dtype?: string }) => {
      if (!(opts.preset in tinyModelPresets)) {
        throw new UsageError(`--preset must be one of ${Object.keys(tinyModelPresets).join(', ')}, got "${opts.preset}"`);
      }
      const preset = tinyModelPresets[opts.preset as Preset];
      const dtypes = opts.dtype?.split(',').map((d) => d.trim());
      const unknown = dtypes?.filter((d) => !(TINY_DTYPES as readonly string[]).includes(d));
      if (unknown?.length) throw new UsageError(`--dtype takes a comma-separated list of ${TINY_DTYPES.join(', ')}, got "${unknown.join(',')}"`);
      const pick = <K extends keyof TinyModelOptions>(k: K, v: unknown) => (v === undefined ? {} : { [k]: v });
      const options: TinyModelOptions = {
        ...preset,
        ...pick('layers', opts.layers),
        ...pick('hidden', opts.hidden),
        ...pick('heads', opts.heads),
        ...pick('kvHeads', opts.kvHeads),
        ...pick('intermediate', opts.intermediate),
        ...pick('vocab', opts.vocab),
        ...pick('seed', opts.seed),
        ...pick('addBos', opts.addBos),
        ...pick('externalData', opts.externalData),
        ...pick('dtypes', dtypes as TinyDtype[] | undefined),
      };
      const info = await writeTinyModel(opts.out, options);
      process.stdout.write(
        `wrote ${info.dir}: ${info.parameterCount.toLocaleString('en-US')} parameters, files ${info.files.join(', ')}\n`,
      );
    });
}
