/**
 * Where each suite's data lives on the Hugging Face Hub (the repositories lm-eval's task YAMLs name, or the
 * benchmark authors' own) and how its files become the release layout the loaders in @sciboard/eval read.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { csv } from './csvWrite.ts';
import type { HubFile } from './hubTree.ts';
import { field, intField, readParquetRows, stringField, stringListField } from './parquet.ts';

/** One file of the data folder, relative to it (`mmlu/test/anatomy_test.csv`). */
export interface OutputFile {
  path: string;
  content: string;
}

export interface SuiteSource {
  /** The folder under the data directory, and the name `data pull --tasks` accepts for it. */
  id: string;
  repo: string;
  revision: string;
  /** The Hub files this suite needs, chosen from the repository's listing. */
  select(files: HubFile[]): HubFile[];
  /** Turns the downloaded files (Hub path → local file) into the release layout. */
  build(local: Map<string, string>): Promise<OutputFile[]>;
  /** A file whose presence shows the suite is in a data folder. */
  marker: string;
  /** Why this suite cannot be pulled, when it cannot. */
  unavailable?: string;
}

const SHARD = /-\d{5}-of-\d{5}\.parquet$/;
const LETTERS = 'ABCDEFGH';

function sortedByPath(files: HubFile[]): HubFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Rows of every shard of one split, shards in order. */
async function rowsOf(local: Map<string, string>, paths: string[]): Promise<Array<{ row: Record<string, unknown>; where: string }>> {
  const out: Array<{ row: Record<string, unknown>; where: string }> = [];
  for (const p of [...paths].sort()) {
    const rows = await readParquetRows(local.get(p)!);
    rows.forEach((row, i) => out.push({ row, where: `${p} row ${i}` }));
  }
  return out;
}

/** Groups `<config>/<split>-NNNNN-of-NNNNN.parquet` paths by config and split. */
function byConfigSplit(local: Map<string, string>): Map<string, Map<string, string[]>> {
  const groups = new Map<string, Map<string, string[]>>();
  for (const p of local.keys()) {
    const m = /^([^/]+)\/([a-z]+)-\d{5}-of-\d{5}\.parquet$/.exec(p);
    if (!m) continue;
    const splits = groups.get(m[1]!) ?? new Map<string, string[]>();
    splits.set(m[2]!, [...(splits.get(m[2]!) ?? []), p]);
    groups.set(m[1]!, splits);
  }
  return groups;
}

const jsonl = (rows: unknown[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

const gsm8k: SuiteSource = {
  id: 'gsm8k',
  repo: 'openai/gsm8k',
  revision: 'main',
  marker: 'gsm8k/test.jsonl',
  select: (files) => files.filter((f) => /^main\/(train|test)-/.test(f.path) && SHARD.test(f.path)),
  async build(local) {
    const out: OutputFile[] = [];
    for (const split of ['train', 'test']) {
      const rows = await rowsOf(local, [...local.keys()].filter((p) => p.startsWith(`main/${split}-`)));
      out.push({ path: `gsm8k/${split}.jsonl`, content: jsonl(rows.map(({ row, where }) => ({ question: stringField(row, 'question', where), answer: stringField(row, 'answer', where) }))) });
    }
    return out;
  },
};

/** cais/mmlu: one config per subject with dev/validation/test; written as header-less question,A,B,C,D,answer. */
const mmlu: SuiteSource = {
  id: 'mmlu',
  repo: 'cais/mmlu',
  revision: 'main',
  marker: 'mmlu/test/abstract_algebra_test.csv',
  select: (files) =>
    files.filter((f) => {
      const m = /^([a-z_]+)\/(dev|validation|test)-/.exec(f.path);
      return m !== null && SHARD.test(f.path) && m[1] !== 'all' && m[1] !== 'auxiliary_train';
    }),
  async build(local) {
    const out: OutputFile[] = [];
    for (const [subject, splits] of byConfigSplit(local)) {
      for (const [split, paths] of splits) {
        const short = split === 'validation' ? 'val' : split;
        const rows = (await rowsOf(local, paths)).map(({ row, where }) => {
          const choices = stringListField(row, 'choices', where);
          const answer = intField(row, 'answer', where);
          if (answer < 0 || answer >= choices.length) throw new Error(`${where}: answer ${answer} is not a choice index`);
          return [stringField(row, 'question', where), ...choices, LETTERS[answer]!];
        });
        out.push({ path: `mmlu/${short}/${subject}_${short}.csv`, content: csv(rows) });
      }
    }
    return out;
  },
};

/** ceval/ceval-exam: one config per subject; written with C-Eval's header (dev keeps its explanations). */
const ceval: SuiteSource = {
  id: 'ceval',
  repo: 'ceval/ceval-exam',
  revision: 'main',
  marker: 'ceval/val/college_physics_val.csv',
  select: (files) => files.filter((f) => (/^[a-z_]+\/(dev|val)-/.test(f.path) && SHARD.test(f.path)) || f.path === 'subject_mapping.json'),
  async build(local) {
    const out: OutputFile[] = [];
    for (const [subject, splits] of byConfigSplit(local)) {
      for (const [split, paths] of splits) {
        const withExplanation = split === 'dev';
        const header = ['id', 'question', 'A', 'B', 'C', 'D', 'answer', ...(withExplanation ? ['explanation'] : [])];
        const rows = (await rowsOf(local, paths)).map(({ row, where }) => header.map((h) => (h === 'id' ? String(intField(row, h, where)) : stringField(row, h, where))));
        out.push({ path: `ceval/${split}/${subject}_${split}.csv`, content: csv([header, ...rows]) });
      }
    }
    const mapping = local.get('subject_mapping.json');
    if (mapping) out.push({ path: 'ceval/subject_mapping.json', content: readFileSync(mapping, 'utf8') });
    return out;
  },
};

/** EleutherAI/hendrycks_math: the seven subject configs' test splits, one JSON line per problem. */
const math: SuiteSource = {
  id: 'math',
  repo: 'EleutherAI/hendrycks_math',
  revision: 'main',
  marker: 'math/test.jsonl',
  select: (files) => files.filter((f) => /^[a-z_]+\/test-/.test(f.path) && SHARD.test(f.path)),
  async build(local) {
    const docs: unknown[] = [];
    for (const [, splits] of [...byConfigSplit(local)].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const { row, where } of await rowsOf(local, splits.get('test') ?? [])) {
        docs.push({ problem: stringField(row, 'problem', where), level: stringField(row, 'level', where), type: stringField(row, 'type', where), solution: stringField(row, 'solution', where) });
      }
    }
    return [{ path: 'math/test.jsonl', content: jsonl(docs) }];
  },
};

/** HuggingFaceH4/MATH-500 ships prm800k's test.jsonl itself. */
const math500: SuiteSource = {
  id: 'math500',
  repo: 'HuggingFaceH4/MATH-500',
  revision: 'main',
  marker: 'math/math500_test.jsonl',
  select: (files) => files.filter((f) => f.path === 'test.jsonl'),
  build: async (local) => [{ path: 'math/math500_test.jsonl', content: readFileSync(local.get('test.jsonl')!, 'utf8') }],
};

/**
 * hails/agieval-sat-math holds AGIEval's zero-shot query already built; the loader rebuilds it from AGIEval's
 * own fields, so the query is split back into them and the rebuilt text is checked to be the same.
 */
const agieval: SuiteSource = {
  id: 'agieval',
  repo: 'hails/agieval-sat-math',
  revision: 'main',
  marker: 'agieval/sat-math.jsonl',
  select: (files) => files.filter((f) => /(^|\/)test-/.test(f.path) && SHARD.test(f.path)),
  async build(local) {
    const items = (await rowsOf(local, [...local.keys()])).map(({ row, where }) => {
      const query = stringField(row, 'query', where);
      const options = stringListField(row, 'choices', where);
      const goldRaw = field(row, 'gold', where);
      const gold = (Array.isArray(goldRaw) ? goldRaw : [goldRaw]).map((g) => Number(g));
      const count = options.length === 1 ? 5 : options.length;
      const suffix = ` Answer Choices: ${options.join(' ')}\nA: Among A through ${LETTERS[count - 1]}, the answer is`;
      const q = query.indexOf('Q: ');
      if (q < 0 || !query.endsWith(suffix)) throw new Error(`${where}: query is not AGIEval's zero-shot English prompt`);
      return { passage: query.slice(0, q), question: query.slice(q + 3, query.length - suffix.length), options, label: gold.map((g) => LETTERS[g]).join('') };
    });
    return [{ path: 'agieval/sat-math.jsonl', content: jsonl(items) }];
  },
};

/** OpenDFM/SciEval publishes SciEval's own JSON files; the dev and valid splits are taken as they are. */
const scieval: SuiteSource = {
  id: 'scieval',
  repo: 'OpenDFM/SciEval',
  revision: 'main',
  marker: 'scieval/scieval-valid.json',
  select: (files) => {
    const pick = (name: string) => sortedByPath(files.filter((f) => basename(f.path) === name)).slice(0, 1);
    return [...pick('scieval-dev.json'), ...pick('scieval-valid.json')];
  },
  build: async (local) => [...local].map(([p, file]) => ({ path: `scieval/${basename(p)}`, content: readFileSync(file, 'utf8') })),
};

/** xw27/scibench: one table of the textbook problems; written back as one JSON file per book (and _sol files). */
const scibench: SuiteSource = {
  id: 'scibench',
  repo: 'xw27/scibench',
  revision: 'main',
  marker: 'scibench/original/atkins.json',
  select: (files) => files.filter((f) => f.path.endsWith('.parquet')),
  async build(local) {
    const books = new Map<string, Array<Record<string, unknown>>>();
    for (const { row, where } of await rowsOf(local, [...local.keys()])) {
      const source = stringField(row, 'source', where);
      const doc: Record<string, unknown> = {};
      for (const k of ['problem_text', 'answer_latex', 'answer_number', 'unit', 'source', 'problemid', 'comment', 'solution']) {
        if (row[k] !== undefined && row[k] !== null) doc[k] = row[k];
      }
      books.set(source, [...(books.get(source) ?? []), doc]);
    }
    const out: OutputFile[] = [];
    for (const [book, docs] of books) {
      const withSolution = docs.filter((d) => typeof d.solution === 'string' && d.solution !== '');
      out.push({ path: `scibench/original/${book}.json`, content: JSON.stringify(docs.map(({ solution: _s, ...d }) => d), null, 2) });
      if (withSolution.length > 0) out.push({ path: `scibench/original/${book}_sol.json`, content: JSON.stringify(withSolution, null, 2) });
    }
    return out;
  },
};

const mathematics: SuiteSource = {
  id: 'mathematics',
  repo: 'deepmind/math_dataset',
  revision: 'main',
  marker: 'mathematics/interpolate',
  select: () => [],
  build: async () => [],
  unavailable:
    'DeepMind Mathematics is published on the Hub as a loading script over a generated archive, not as data files; ' +
    'generate its test set with the mathematics_dataset package and put it under <data dir>/mathematics/{interpolate,extrapolate}/<module>.txt',
};

export const SUITES: readonly SuiteSource[] = [ceval, mmlu, gsm8k, math, math500, agieval, scieval, scibench, mathematics];

export function suiteById(id: string): SuiteSource | undefined {
  return SUITES.find((s) => s.id === id);
}
