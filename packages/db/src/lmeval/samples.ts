/**
 * Converts between lm-evaluation-harness sample lines and stored items. lm-eval writes one line per
 * document and filter (GSM8K's `strict-match` and `flexible-extract` are two lines for one document); a
 * stored item holds one document with every filter's answer and score.
 */
import type { LmEvalSample } from '@sciboard/contracts';
import { canonicalJson, sha256 } from '../hash.ts';
import type { ItemRecord } from '../queries/results.ts';
import type { ItemRequest, ItemResponse } from '../schema/shared.ts';
import type { SampleLine } from './schema.ts';

/** Bookkeeping keys of a sample line; any other numeric or boolean key is a metric. */
const SAMPLE_KEYS = new Set([
  'doc_id', 'doc', 'target', 'arguments', 'resps', 'filtered_resps', 'filter', 'metrics', 'doc_hash', 'prompt_hash', 'target_hash', 'notes',
]);

/** lm-eval's default generation budget when the task config gives none (`max_gen_toks`). */
const DEFAULT_MAX_GEN_TOKS = 256;

export class SampleError extends Error {}

export function requestFromArguments(args: SampleLine['arguments']): ItemRequest {
  const lists = Array.isArray(args)
    ? args
    : Object.keys(args)
        .sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')))
        .map((key) => Object.values(args[key]!));
  const first = lists[0];
  if (!first || typeof first[0] !== 'string') throw new SampleError('arguments: expected at least one request with a context string');
  const second = first[1];
  if (typeof second === 'string') {
    const continuations = lists.map((list, i) => {
      if (typeof list[1] !== 'string') throw new SampleError(`arguments.gen_args_${i}.arg_1: expected a continuation string`);
      return list[1];
    });
    return { kind: 'loglikelihood', context: first[0], continuations };
  }
  if (second && typeof second === 'object') {
    const until = second.until === undefined ? [] : Array.isArray(second.until) ? second.until : [second.until];
    return { kind: 'generate_until', context: first[0], until, maxTokens: second.max_gen_toks ?? DEFAULT_MAX_GEN_TOKS };
  }
  throw new SampleError('arguments.gen_args_0.arg_1: expected a continuation string or generation arguments');
}

export function responseFromResps(request: ItemRequest, resps: unknown[][]): ItemResponse {
  if (request.kind === 'loglikelihood') {
    if (resps.length !== request.continuations.length) {
      throw new SampleError(`resps: expected ${request.continuations.length} responses (one per continuation), got ${resps.length}`);
    }
    return {
      kind: 'loglikelihood',
      results: resps.map((resp, i) => {
        const pair = resp[0];
        const logprob = Array.isArray(pair) ? Number(pair[0]) : Number.NaN;
        if (!Array.isArray(pair) || !Number.isFinite(logprob)) {
          throw new SampleError(`resps.${i}.0: expected ["<log-probability>", "True"|"False"]`);
        }
        return { logprob, isGreedy: String(pair[1]) === 'True' };
      }),
    };
  }
  const text = resps[0]?.[0];
  if (typeof text !== 'string') throw new SampleError('resps.0.0: expected the generated text');
  // lm-eval does not record why generation stopped; a stop sequence is its normal ending.
  return { kind: 'generate_until', text, finishReason: 'stop' };
}

/** The answer a filter extracted, as a string: generated answers as is, for choices the picked index. */
function filteredAnswer(request: ItemRequest, filteredResps: unknown[]): string {
  if (request.kind === 'generate_until') return String(filteredResps[0] ?? '');
  const logprobs = filteredResps.map((pair) => (Array.isArray(pair) ? Number(pair[0]) : Number(pair)));
  return String(logprobs.indexOf(Math.max(...logprobs)));
}

function metricsOf(line: SampleLine): Record<string, number> {
  const names = line.metrics ?? Object.keys(line).filter((key) => !SAMPLE_KEYS.has(key));
  const record = line as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'number') out[name] = value;
    else if (typeof value === 'boolean') out[name] = value ? 1 : 0;
    else if (line.metrics) throw new SampleError(`${name}: expected number or boolean, got ${value === null ? 'null' : typeof value}`);
  }
  return out;
}

/** Merges one task's lines (one per document and filter) into one item per document. */
export function itemsFromSampleLines(task: string, lines: { line: number; sample: SampleLine }[]): ItemRecord[] {
  const items = new Map<number, ItemRecord>();
  for (const { line, sample } of lines) {
    try {
      const filter = sample.filter ?? 'none';
      let item = items.get(sample.doc_id);
      if (!item) {
        const request = requestFromArguments(sample.arguments);
        item = {
          task,
          docIndex: sample.doc_id,
          docHash: sample.doc_hash ?? sha256(canonicalJson(sample.doc)),
          promptHash: sample.prompt_hash ?? sha256(canonicalJson(sample.arguments)),
          doc: sample.doc,
          request,
          response: responseFromResps(request, sample.resps),
          target: sample.target,
          filtered: {},
          scores: {},
        };
        items.set(sample.doc_id, item);
      }
      item.filtered[filter] = filteredAnswer(item.request, sample.filtered_resps);
      for (const [metric, value] of Object.entries(metricsOf(sample))) item.scores[`${metric},${filter}`] = value;
      // Sample notes are keyed "<metric>,<filter>" as in the stored item.
      if (sample.notes && Object.keys(sample.notes).length) item.notes = { ...item.notes, ...sample.notes };
    } catch (err) {
      if (err instanceof SampleError) throw new SampleError(`line ${line}: ${err.message}`);
      throw err;
    }
  }
  return [...items.values()].sort((a, b) => a.docIndex - b.docIndex);
}

/** The lines lm-eval would have written for one stored item: one per filter. */
export function sampleLinesFromItem(item: ItemRecord): LmEvalSample[] {
  const { request, response } = item;
  const argumentsObject =
    request.kind === 'loglikelihood'
      ? Object.fromEntries(request.continuations.map((c, i) => [`gen_args_${i}`, { arg_0: request.context, arg_1: c }]))
      : { gen_args_0: { arg_0: request.context, arg_1: { until: request.until, max_gen_toks: request.maxTokens } } };
  const resps =
    response.kind === 'loglikelihood'
      ? response.results.map((r) => [[String(r.logprob), r.isGreedy ? 'True' : 'False']])
      : [[response.text]];
  const filters = Object.keys(item.filtered).length > 0 ? Object.keys(item.filtered) : ['none'];
  return filters.map((filter) => {
    const metrics = Object.entries(item.scores)
      .filter(([key]) => key.slice(key.indexOf(',') + 1) === filter)
      .map(([key, value]) => [key.slice(0, key.indexOf(',')), value] as const);
    return {
      doc_id: item.docIndex,
      doc: item.doc,
      target: item.target,
      arguments: argumentsObject,
      resps,
      filtered_resps: response.kind === 'loglikelihood' ? resps.map((r) => r[0]) : [item.filtered[filter] ?? ''],
      filter,
      metrics: metrics.map(([name]) => name),
      doc_hash: item.docHash,
      prompt_hash: item.promptHash,
      target_hash: sha256(String(item.target)),
      ...Object.fromEntries(metrics),
      ...notesFor(item, filter),
    };
  });
}

/** The item's notes for one filter's line (absent when there are none), as the evaluator logs samples. */
function notesFor(item: ItemRecord, filter: string): { notes?: Record<string, string> } {
  const notes = Object.entries(item.notes ?? {}).filter(([key]) => key.slice(key.indexOf(',') + 1) === filter);
  return notes.length ? { notes: Object.fromEntries(notes) } : {};
}
