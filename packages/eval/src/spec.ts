/**
 * User-defined suites from a spec file (YAML or JSON) in lm-eval's task-config vocabulary: jinja templates for
 * doc_to_text / doc_to_choice / doc_to_target, a JSONL or CSV data file, multiple_choice (acc, acc_norm) or
 * generate_until (until, max_gen_toks; regex + take_first filters; exact_match). Paths in the spec are relative to
 * the spec file.
 *
 * The templates are lm-eval config strings, which lm-eval renders in Python, so they are read as the built-in
 * tasks' are (tasks/configTemplate.ts): with Python's semantics by tasks/docTemplate.ts (`{{ question.strip() }}`
 * strips what `str.strip` strips, a list prints as its repr, an undefined field is an error) whenever the template
 * stays within its subset; only a template with statements (`{% %}`), filters (`|`) or expressions outside it is
 * rendered by @huggingface/jinja, with JavaScript's string semantics.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { readCsvRows } from './data/csv.ts';
import { DataFormatError } from './data/errors.ts';
import { readJsonl } from './data/jsonl.ts';
import type { Doc, TaskDefinition } from './task.ts';
import { compileConfigTemplate, type ConfigTemplate } from './tasks/configTemplate.ts';
import { DocTemplateError } from './tasks/docTemplate.ts';
import type { ExactMatchOptions, FilterPipeline, FilterStep } from './tasks/filters.ts';
import { DEFAULT_FEWSHOT_DELIMITER, DEFAULT_TARGET_DELIMITER, defineTemplateTask } from './tasks/templateTask.ts';

export function isTaskSpecPath(name: string): boolean {
  return /\.(ya?ml|json)$/i.test(name);
}

type Locator = (path: (string | number)[]) => number | undefined;

class SpecReader {
  constructor(
    readonly file: string,
    readonly raw: Record<string, unknown>,
    readonly locate: Locator,
  ) {}

  fail(path: (string | number)[], detail: string): never {
    const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
    throw new DataFormatError(this.file, this.locate(path), field || undefined, detail);
  }

  get(path: (string | number)[]): unknown {
    let v: unknown = this.raw;
    for (const p of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
    return v;
  }

  string(path: (string | number)[], fallback?: string): string {
    const v = this.get(path);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string') this.fail(path, `expected a string${v === undefined ? ' (missing)' : `, found ${JSON.stringify(v)}`}`);
    return v;
  }

  int(path: (string | number)[], fallback: number): number {
    const v = this.get(path);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(path, `expected a non-negative integer, found ${JSON.stringify(v)}`);
    return v;
  }
}

function parseSpecFile(file: string): SpecReader {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataFormatError(file, undefined, undefined, `cannot read spec file (${(err as Error).message})`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new DataFormatError(file, e.linePos?.[0]?.line, undefined, `invalid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]}`);
  }
  const raw = doc.toJS() as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new DataFormatError(file, 1, undefined, 'expected a mapping of task settings');
  const locate: Locator = (path) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return new SpecReader(file, raw as Record<string, unknown>, locate);
}

/**
 * A config string read through the one door for templates (tasks/configTemplate.ts); a template neither reader
 * accepts, or one that fails on a document, is reported with the spec file, line and field. A field name with no
 * braces is that field, and a lone `{{ field }}` its value (lists stay lists), as lm-eval reads them.
 */
function compileTemplate(r: SpecReader, path: (string | number)[]): ConfigTemplate {
  let template: ConfigTemplate;
  try {
    template = compileConfigTemplate(r.string(path));
  } catch (err) {
    if (!(err instanceof DocTemplateError)) throw err;
    return r.fail(path, err.message);
  }
  const reporting =
    <T>(read: (doc: Doc) => T) =>
    (doc: Doc): T => {
      try {
        return read(doc);
      } catch (err) {
        if (!(err instanceof DocTemplateError)) throw err;
        return r.fail(path, err.message);
      }
    };
  return { value: reporting(template.value), text: reporting(template.text), choices: reporting(template.choices) };
}

/** doc_to_choice is a template giving a list, or (as in lm-eval) a literal list of per-choice templates. */
function compileChoices(r: SpecReader): (doc: Doc) => string[] {
  const raw = r.get(['doc_to_choice']);
  if (!Array.isArray(raw)) return compileTemplate(r, ['doc_to_choice']).choices;
  if (raw.length === 0) return r.fail(['doc_to_choice'], 'expected at least one choice');
  const each = raw.map((_, i) => compileTemplate(r, ['doc_to_choice', i]));
  return (doc) => each.map((t) => t.text(doc));
}

function loadDocs(r: SpecReader, key: string, baseDir: string): Doc[] {
  const file = resolve(baseDir, r.string([key]));
  if (/\.jsonl$/i.test(file)) {
    return readJsonl(file).map(({ line, value }) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DataFormatError(file, line, undefined, 'expected a JSON object per line');
      return value as Doc;
    });
  }
  if (/\.csv$/i.test(file)) {
    const rows = readCsvRows(file);
    const header = rows.shift();
    if (!header) throw new DataFormatError(file, 1, undefined, 'empty CSV: expected a header row naming the fields');
    return rows.map((row) => {
      if (row.fields.length !== header.fields.length) {
        throw new DataFormatError(file, row.line, undefined, `expected ${header.fields.length} fields (${header.fields.join(',')}), found ${row.fields.length}`);
      }
      return Object.fromEntries(header.fields.map((h, i) => [h, row.fields[i]]));
    });
  }
  return r.fail([key], `data file must end in .jsonl or .csv, got ${JSON.stringify(file)}`);
}

/**
 * The data files a spec makes the evaluator read (`data_files`, `fewshot_data_files`), resolved as
 * `loadTaskSpec` resolves them, so a server can check where they lie before it queues the suite.
 */
export function taskSpecDataFiles(file: string): string[] {
  const r = parseSpecFile(file);
  const baseDir = dirname(resolve(file));
  return ['data_files', 'fewshot_data_files'].filter((key) => r.get([key]) !== undefined).map((key) => resolve(baseDir, r.string([key])));
}

export function loadTaskSpec(file: string): TaskDefinition {
  const r = parseSpecFile(file);
  const baseDir = dirname(resolve(file));
  const name = r.string(['task']);
  const outputType = r.string(['output_type']);
  const version = String(r.get(['metadata', 'version']) ?? r.get(['version']) ?? '1.0');
  const docToText = compileTemplate(r, ['doc_to_text']);
  const common = {
    name,
    version,
    defaultNumFewshot: r.int(['num_fewshot'], 0),
    description: r.string(['description'], ''),
    targetDelimiter: r.string(['target_delimiter'], DEFAULT_TARGET_DELIMITER),
    fewshotDelimiter: r.string(['fewshot_delimiter'], DEFAULT_FEWSHOT_DELIMITER),
    loadDocs: () => loadDocs(r, 'data_files', baseDir),
    ...(r.get(['fewshot_data_files']) !== undefined ? { loadFewshotDocs: () => loadDocs(r, 'fewshot_data_files', baseDir) } : {}),
    docToText: docToText.text,
    config: { ...r.raw, spec_file: file },
  };
  const metricList = r.get(['metric_list']);
  if (!Array.isArray(metricList) || metricList.length === 0) return r.fail(['metric_list'], 'expected a non-empty list of {metric: ...}');
  const metrics: unknown[] = metricList;

  if (outputType === 'multiple_choice') {
    const choices = compileChoices(r);
    const targetOf = compileTemplate(r, ['doc_to_target']);
    const target = (doc: Doc): number => {
      const v = targetOf.value(doc);
      const list = choices(doc);
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < list.length) return v;
      const s = String(v).trim();
      if (/^\d+$/.test(s) && Number(s) < list.length) return Number(s);
      const i = list.indexOf(s);
      if (i < 0) r.fail(['doc_to_target'], `gave ${JSON.stringify(v)}, which is neither a choice index nor one of ${JSON.stringify(list)}`);
      return i;
    };
    const names = metrics.map((_m, i): 'acc' | 'acc_norm' => {
      const metric = r.string(['metric_list', i, 'metric']);
      if (metric !== 'acc' && metric !== 'acc_norm') return r.fail(['metric_list', i, 'metric'], `multiple_choice supports acc and acc_norm, got "${metric}"`);
      return metric;
    });
    return defineTemplateTask({ ...common, outputType: 'multiple_choice', docToChoice: choices, docToTarget: target, metrics: names });
  }

  if (outputType === 'generate_until') {
    const targetOf = compileTemplate(r, ['doc_to_target']);
    const until = r.get(['generation_kwargs', 'until']) ?? ['\n\n'];
    if (!Array.isArray(until) || !until.every((u) => typeof u === 'string')) r.fail(['generation_kwargs', 'until'], 'expected a list of stop strings');
    if (metrics.length !== 1 || r.string(['metric_list', 0, 'metric']) !== 'exact_match') {
      r.fail(['metric_list'], 'generate_until supports exactly one metric: exact_match');
    }
    const em: ExactMatchOptions = {
      ignoreCase: r.get(['metric_list', 0, 'ignore_case']) === true,
      ignorePunctuation: r.get(['metric_list', 0, 'ignore_punctuation']) === true,
      regexesToIgnore: (r.get(['metric_list', 0, 'regexes_to_ignore']) as string[] | undefined) ?? [],
    };
    return defineTemplateTask({
      ...common,
      outputType: 'generate_until',
      docToTarget: targetOf.text,
      until: until as string[],
      maxGenToks: r.int(['generation_kwargs', 'max_gen_toks'], 256),
      filters: readFilters(r),
      exactMatch: em,
    });
  }
  return r.fail(['output_type'], `expected multiple_choice or generate_until, got ${JSON.stringify(outputType)}`);
}

function readFilters(r: SpecReader): FilterPipeline[] {
  const list = r.get(['filter_list']);
  if (list === undefined) return [{ name: 'none', steps: [{ function: 'take_first' }] }];
  if (!Array.isArray(list) || list.length === 0) r.fail(['filter_list'], 'expected a non-empty list of {name, filter: [...]}');
  return list.map((_, i) => {
    const name = r.string(['filter_list', i, 'name']);
    const steps = r.get(['filter_list', i, 'filter']);
    if (!Array.isArray(steps) || steps.length === 0) r.fail(['filter_list', i, 'filter'], 'expected a non-empty list of filter steps');
    return {
      name,
      steps: steps.map((_, j): FilterStep => {
        const path = ['filter_list', i, 'filter', j];
        const fn = r.string([...path, 'function']);
        if (fn === 'take_first') return { function: 'take_first' };
        if (fn !== 'regex') r.fail([...path, 'function'], `supported filters are regex and take_first, got "${fn}"`);
        const pattern = r.string([...path, 'regex_pattern']);
        try {
          new RegExp(pattern);
        } catch (err) {
          r.fail([...path, 'regex_pattern'], `invalid regular expression: ${(err as Error).message}`);
        }
        const groupSelect = r.get([...path, 'group_select']);
        const fallback = r.get([...path, 'fallback']);
        return {
          function: 'regex',
          regexPattern: pattern,
          ...(typeof groupSelect === 'number' ? { groupSelect } : {}),
          ...(typeof fallback === 'string' ? { fallback } : {}),
        };
      }),
    };
  });
}
