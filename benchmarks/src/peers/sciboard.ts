import { loadModel, type LoadOptions } from '@sciboard/onnx';
import type { FastSwitches, PeerRunner } from '../protocol.ts';
import type { ChoiceItem, GenerationItem } from '../workloads.ts';

/** The engine as users run it, with its optimisations switched per rung of the ladder. */
export async function loadSciboard(dir: string, threads: number, batchSize: number, fast: FastSwitches, int8 = false): Promise<PeerRunner> {
  const model = await loadModel(dir, { device: 'cpu', threads, batchSize, fast, int8 } satisfies LoadOptions);
  return {
    async choose(items: ChoiceItem[]) {
      const requests = items.flatMap((item) => item.continuations.map((continuation) => ({ context: item.context, continuation })));
      const flat = await model.loglikelihood(requests);
      let at = 0;
      return items.map((item) => item.continuations.map(() => flat[at++]!));
    },
    async generate(items: GenerationItem[], rows: number) {
      // The engine runs `model.batchSize` rows at a time whatever a workload asks; a workload that needs another
      // batch must run in a peer loaded with it, or its timing would be of a different batch.
      if (rows !== model.batchSize && items.length > Math.min(rows, model.batchSize)) {
        throw new Error(`workload asks for batch ${rows} over ${items.length} prompts, but this engine peer runs batch ${model.batchSize}`);
      }
      const results = await model.generate(items);
      // The engine returns text, not ids: rows that ran to the limit made exactly maxTokens tokens; the few that
      // stopped early are counted by re-encoding their text (plus the stop token).
      const generatedTokens = results.reduce(
        (n, r, i) => n + (r.finishReason === 'length' ? items[i]!.maxTokens : model.tokenizer.encode(r.text, { addBos: false }).length + 1),
        0,
      );
      return { texts: results.map((r) => r.text), generatedTokens };
    },
    details: () => ({ provider: model.provider, slicedLogits: model.slicedLogits, decodeLoop: model.decodeLoop, int8: model.int8, batchSize: model.batchSize, ...prefixed(model.fast) }),
    forget: () => model.clearPrefixCache(),
    dispose: () => model.dispose(),
  };
}

function prefixed(fast: object): Record<string, boolean> {
  return Object.fromEntries(Object.entries(fast).map(([k, v]) => [`fast.${k}`, Boolean(v)]));
}
