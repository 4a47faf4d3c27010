/**
 * The prompt and generation settings lm-eval takes on its command line — `--apply_chat_template [NAME]`,
 * `--system_instruction`, `--fewshot_as_multiturn`, `--gen_kwargs`, `--seed` — checked once here for the command
 * line, submissions and the site, with lm-eval's semantics (lm_eval/_cli/run.py, lm_eval/config/evaluate_config.py,
 * lm_eval/_cli/utils.py, lm_eval/models/utils.py `normalize_gen_kwargs` @ 4e7e0d47f).
 */

export class SettingsError extends Error {
  constructor(
    message: string,
    /** The option or field at fault, e.g. `gen_kwargs`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** What the models here can do: greedy decoding, with its stop strings and token budget. */
export interface GenKwargs {
  until?: string[];
  max_gen_toks?: number;
  do_sample?: false;
  temperature?: 0;
}

/** lm-eval's four seeds: Python, numpy, torch and the few-shot sampler (null: not set). */
export interface Seeds {
  random_seed: number | null;
  numpy_seed: number | null;
  torch_seed: number | null;
  fewshot_seed: number;
}

/** lm-eval's defaults (`--seed 0,1234,1234,1234`). */
export const DEFAULT_SEEDS: Seeds = { random_seed: 0, numpy_seed: 1234, torch_seed: 1234, fewshot_seed: 1234 };

export interface EvalSettings {
  /** false/absent: plain prompts; true: the checkpoint's chat template; a name: that named template. */
  applyChatTemplate?: boolean | string;
  systemInstruction?: string;
  /** Few-shot exemplars as user/assistant turns; lm-eval's default is true whenever a chat template is applied. */
  fewshotAsMultiturn?: boolean;
  genKwargs?: GenKwargs;
  seed?: Seeds;
}

const MAX_TOKEN_ALIASES = ['max_gen_toks', 'max_new_tokens', 'max_tokens', 'max_completion_tokens'] as const;
const ACCEPTED = 'until, max_gen_toks (or max_new_tokens, max_tokens, max_completion_tokens), do_sample=false, temperature=0';

/** lm-eval's `handle_cli_value_string`: booleans, integers, floats, Python/JSON literals, else the text. */
function cliValue(text: string): unknown {
  if (text.toLowerCase() === 'true') return true;
  if (text.toLowerCase() === 'false') return false;
  if (/^[0-9]+$/.test(text)) return Number(text);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim())) return Number(text);
  const quoted = text.match(/^'(.*)'$/s);
  if (quoted) return quoted[1];
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Checks parsed generation arguments: only what greedy decoding here honours is accepted, anything else named. */
export function checkGenKwargs(raw: Record<string, unknown>): GenKwargs {
  const out: GenKwargs = {};
  const fail = (detail: string): never => {
    throw new SettingsError(`gen_kwargs: ${detail}`, 'gen_kwargs');
  };
  for (const key of Object.keys(raw)) {
    if (key === 'until' || key === 'do_sample' || key === 'temperature' || (MAX_TOKEN_ALIASES as readonly string[]).includes(key)) continue;
    fail(`"${key}" is not supported (models here decode greedily; accepted: ${ACCEPTED})`);
  }
  if ('until' in raw) {
    const u = raw['until'];
    const list = typeof u === 'string' ? [u] : u;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) fail(`until must be a string or a list of strings, got ${JSON.stringify(u)}`);
    out.until = list as string[];
  }
  // normalize_gen_kwargs: the first alias present by priority wins.
  const alias = MAX_TOKEN_ALIASES.find((k) => raw[k] !== undefined && raw[k] !== null);
  if (alias) {
    const n = raw[alias];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) fail(`${alias} must be a positive integer, got ${JSON.stringify(n)}`);
    out.max_gen_toks = n as number;
  }
  const doSample = raw['do_sample'];
  if (doSample !== undefined && doSample !== null) {
    if (doSample !== false) fail(`do_sample=${JSON.stringify(doSample)} is not supported: only greedy decoding (do_sample=false, temperature=0) runs here`);
    out.do_sample = false;
  }
  const temperature = raw['temperature'];
  if (temperature !== undefined && temperature !== null) {
    if (temperature !== 0) fail(`temperature=${JSON.stringify(temperature)} is not supported: only greedy decoding (temperature=0) runs here`);
    out.temperature = 0;
  }
  return out;
}

/**
 * `--gen-kwargs` as lm-eval reads it: a JSON object, or `key=value` pairs separated by commas (a value may not
 * contain a comma then; give a list of stop strings as JSON: `{"until": ["\n\n", "Q:"]}`).
 */
export function parseGenKwargs(text: string): GenKwargs {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new SettingsError(`gen_kwargs: not valid JSON (${(err as Error).message}); use double quotes for JSON strings`, 'gen_kwargs');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SettingsError('gen_kwargs: expected a JSON object', 'gen_kwargs');
    return checkGenKwargs(parsed as Record<string, unknown>);
  }
  const raw: Record<string, unknown> = {};
  for (const item of trimmed.split(',').filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new SettingsError(`gen_kwargs: expected key=value, got "${item}"`, 'gen_kwargs');
    raw[item.slice(0, eq).trim()] = cliValue(item.slice(eq + 1));
  }
  return checkGenKwargs(raw);
}

/** `--seed`: one integer for all four seeds, or 3-4 comma-separated integers or None (missing ones default). */
export function parseSeed(text: string): Seeds {
  const defaults = [DEFAULT_SEEDS.random_seed, DEFAULT_SEEDS.numpy_seed, DEFAULT_SEEDS.torch_seed, DEFAULT_SEEDS.fewshot_seed];
  const items = text.split(',').map((v): number | null => {
    const s = v.trim().toLowerCase();
    if (s === 'none') return null;
    if (!/^[+-]?\d+$/.test(s)) throw new SettingsError(`seed: ${JSON.stringify(v.trim())} is not an integer or None`, 'seed');
    return Number(s);
  });
  let four: (number | null)[];
  if (items.length === 1) four = [items[0]!, items[0]!, items[0]!, items[0]!];
  else if (items.length === 3 || items.length === 4) four = [...items, ...defaults.slice(items.length)];
  else throw new SettingsError(`seed: expected one integer or 3-4 comma-separated integers or None (python,numpy,torch,fewshot), got "${text}"`, 'seed');
  return checkSeeds({ random_seed: four[0]!, numpy_seed: four[1]!, torch_seed: four[2]!, fewshot_seed: four[3] as number });
}

export function checkSeeds(s: { random_seed: number | null; numpy_seed: number | null; torch_seed: number | null; fewshot_seed: number | null }): Seeds {
  for (const [k, v] of Object.entries(s)) {
    if (v !== null && !(Number.isSafeInteger(v) && v >= 0 && v < 2 ** 32)) throw new SettingsError(`seed: ${k} must be an integer from 0 to 2^32-1, got ${v}`, 'seed');
  }
  // An unseeded sampler would give every run other exemplars; results here must be reproducible.
  if (s.fewshot_seed === null) throw new SettingsError('seed: the few-shot seed cannot be None (runs must draw the same exemplars)', 'seed');
  return s as Seeds;
}

/**
 * Settings after lm-eval's checks: `--fewshot-as-multiturn` needs a chat template and defaults to true with one;
 * empty values are dropped; a system instruction is a non-empty string.
 */
export function checkEvalSettings(s: EvalSettings): EvalSettings {
  const out: EvalSettings = {};
  const apply = s.applyChatTemplate;
  if (apply !== undefined && apply !== false) {
    if (typeof apply === 'string') {
      if (apply.trim() === '') throw new SettingsError('apply_chat_template: a template name must not be empty', 'apply_chat_template');
      if (/[\u0000-\u001f]/.test(apply) || apply.length > 200) throw new SettingsError(`apply_chat_template: not a template name: ${JSON.stringify(apply.slice(0, 80))}`, 'apply_chat_template');
    } else if (apply !== true) {
      throw new SettingsError(`apply_chat_template: expected true or a template name, got ${JSON.stringify(apply)}`, 'apply_chat_template');
    }
    out.applyChatTemplate = apply;
  }
  if (s.systemInstruction !== undefined && s.systemInstruction !== '') {
    if (typeof s.systemInstruction !== 'string') throw new SettingsError('system_instruction: expected a string', 'system_instruction');
    if (s.systemInstruction.length > 20_000) throw new SettingsError('system_instruction: longer than 20000 characters', 'system_instruction');
    out.systemInstruction = s.systemInstruction;
  }
  if (s.fewshotAsMultiturn === true && !out.applyChatTemplate) {
    throw new SettingsError('fewshot_as_multiturn: needs a chat template (--apply-chat-template)', 'fewshot_as_multiturn');
  }
  if (out.applyChatTemplate) out.fewshotAsMultiturn = s.fewshotAsMultiturn ?? true;
  if (s.genKwargs) {
    const g = checkGenKwargs(s.genKwargs as Record<string, unknown>);
    if (Object.keys(g).length) out.genKwargs = g;
  }
  if (s.seed) {
    const seed = checkSeeds(s.seed);
    if (Object.entries(DEFAULT_SEEDS).some(([k, v]) => seed[k as keyof Seeds] !== v)) out.seed = seed;
  }
  return out;
}

/** True when the settings change nothing (plain prompts, task generation arguments, lm-eval's seeds). */
export function isDefaultSettings(s: EvalSettings): boolean {
  return Object.keys(checkEvalSettings(s)).length === 0;
}

/**
 * The settings as a run's configuration records them (and its identity hash covers): only what differs from the
 * defaults, so a plain run keeps the identity it had before these options existed.
 */
export function settingsConfig(s: EvalSettings): Record<string, unknown> {
  const c = checkEvalSettings(s);
  return {
    ...(c.applyChatTemplate ? { applyChatTemplate: c.applyChatTemplate, fewshotAsMultiturn: c.fewshotAsMultiturn } : {}),
    ...(c.systemInstruction !== undefined ? { systemInstruction: c.systemInstruction } : {}),
    ...(c.genKwargs ? { genKwargs: c.genKwargs } : {}),
    ...(c.seed ? { seed: c.seed } : {}),
  };
}

/** Reads settings back from a run configuration written by `settingsConfig` (absent keys: defaults). */
export function settingsFromConfig(config: Record<string, unknown> | null | undefined): EvalSettings {
  if (!config) return {};
  return checkEvalSettings({
    ...(config['applyChatTemplate'] !== undefined ? { applyChatTemplate: config['applyChatTemplate'] as boolean | string } : {}),
    ...(typeof config['fewshotAsMultiturn'] === 'boolean' ? { fewshotAsMultiturn: config['fewshotAsMultiturn'] } : {}),
    ...(typeof config['systemInstruction'] === 'string' ? { systemInstruction: config['systemInstruction'] } : {}),
    ...(config['genKwargs'] ? { genKwargs: config['genKwargs'] as GenKwargs } : {}),
    ...(config['seed'] ? { seed: config['seed'] as Seeds } : {}),
  });
}
