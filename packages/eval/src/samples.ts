/** Per-sample records in the shape of lm-eval's `--log_samples` output (one entry per document and filter). */
import { docHash, sha256 } from './hash.ts';
import type { ItemRecord } from './sink.ts';
import type { PreparedTask } from './task.ts';
import type { LmEvalSample as SampleRecord } from '@sciboard/contracts';

// A `--log_samples` line is one of lm-eval's file shapes, declared once in @sciboard/contracts.
export type { LmEvalSample as SampleRecord } from '@sciboard/contracts';

export function samplesForTask(task: PreparedTask, records: ItemRecord[]): SampleRecord[] {
  const filters = [...new Set(task.metricKeys.map((k) => k.slice(k.indexOf(',') + 1)))];
  const out: SampleRecord[] = [];
  for (const filter of filters) {
    const metrics = task.metricKeys.filter((k) => k.endsWith(`,${filter}`)).map((k) => k.slice(0, k.indexOf(',')));
    for (const r of records) out.push(sampleRecord(r, filter, metrics));
  }
  return out;
}

function sampleRecord(r: ItemRecord, filter: string, metrics: string[]): SampleRecord {
  const req = r.request;
  const res = r.response;
  let args: SampleRecord['arguments'];
  let resps: unknown[];
  let filtered: unknown[];
  if (req.kind === 'loglikelihood') {
    args = Object.fromEntries(req.continuations.map((c, i) => [`gen_args_${i}`, { arg_0: req.context, arg_1: c }]));
    const lls = res.kind === 'loglikelihood' ? res.results.map((x) => [x.logprob, x.isGreedy]) : [];
    resps = lls.map((x) => [x]);
    filtered = lls;
  } else {
    args = { gen_args_0: { arg_0: req.context, arg_1: { until: req.until, max_gen_toks: req.maxTokens, do_sample: false } } };
    resps = [[res.kind === 'generate_until' ? res.text : '']];
    filtered = [r.filtered[filter] ?? ''];
  }
  const sample: SampleRecord = {
    doc_id: r.docIndex,
    doc: r.doc,
    target: r.target,
    arguments: args,
    resps,
    filtered_resps: filtered,
    filter,
    metrics,
    doc_hash: docHash(r.doc),
    prompt_hash: sha256(req.context),
    target_hash: sha256(String(r.target)),
  };
  for (const m of metrics) sample[m] = r.scores[`${m},${filter}`];
  // Why a score is 0 without a verdict (an equivalence check stopped at its time limit, a grader error).
  const notes = Object.entries(r.notes ?? {}).filter(([k]) => k.endsWith(`,${filter}`));
  if (notes.length) sample.notes = Object.fromEntries(notes);
  return sample;
}
