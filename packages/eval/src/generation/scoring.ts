/**
 * lm-eval's generation filters and exact_match metric, ported from lm_eval/filters/extraction.py (RegexFilter)
 * and lm_eval/api/metrics.py (exact_match_hf_evaluate), with the gsm8k filter pipelines from its YAML files.
 */
import { pythonFindall, pythonSubLiteral } from '../python/regex.ts';
import { pythonStrip } from '../python/strip.ts';
import type { FilterPipeline } from '../tasks/filters.ts';

/** RegexFilter's default fallback when nothing matches. */
export const INVALID = '[invalid]';

export interface RegexFilterOptions {
  pattern: string;
  /** Index into `re.findall`'s list; negative counts from the end, as in Python. */
  groupSelect?: number;
  fallback?: string;
}

export interface FilterOutcome {
  answer: string;
  /** False when the fallback was used (no match, or a match whose groups were all empty). */
  found: boolean;
}

/** RegexFilter.apply for one response (`take_first` after it is the identity for one response per document). */
export function regexFilter(text: string, options: RegexFilterOptions): FilterOutcome {
  const fallback = options.fallback ?? INVALID;
  const matches = pythonFindall(options.pattern, text);
  if (matches.length === 0) return { answer: fallback, found: false };
  const select = options.groupSelect ?? 0;
  const index = select < 0 ? matches.length + select : select;
  const match = matches[index];
  if (match === undefined) {
    throw new Error(`regex filter ${JSON.stringify(options.pattern)}: group_select ${select} is out of range for ${matches.length} matches (Python raises IndexError)`);
  }
  if (Array.isArray(match)) {
    const nonEmpty = match.filter((g) => g);
    if (nonEmpty.length === 0) return { answer: pythonStrip(fallback), found: false };
    return { answer: pythonStrip(nonEmpty[0]!), found: true };
  }
  return { answer: pythonStrip(match), found: true };
}

export const GSM8K_STRICT_PATTERN = '#### (\\-?[0-9\\.\\,]+)';
export const GSM8K_COT_STRICT_PATTERN = 'The answer is (\\-?[0-9\\.\\,]+).';
export const GSM8K_FLEXIBLE_PATTERN = '(-?[$0-9.,]{2,})|(-?[0-9]+)';

/** A `regex` then `take_first` pipeline, as every gsm8k filter is. */
const regexPipeline = (name: string, regexPattern: string, groupSelect?: number): FilterPipeline => ({
  name,
  steps: [{ function: 'regex', regexPattern, ...(groupSelect !== undefined ? { groupSelect } : {}) }, { function: 'take_first' }],
});

/** The filter lists of gsm8k.yaml, gsm8k-cot.yaml and gsm8k-cot-zeroshot.yaml, in YAML order. */
export const gsm8kFilters: Record<'gsm8k' | 'gsm8k_cot' | 'gsm8k_cot_zeroshot', FilterPipeline[]> = {
  gsm8k: [regexPipeline('strict-match', GSM8K_STRICT_PATTERN), regexPipeline('flexible-extract', GSM8K_FLEXIBLE_PATTERN, -1)],
  gsm8k_cot: [regexPipeline('strict-match', GSM8K_COT_STRICT_PATTERN), regexPipeline('flexible-extract', GSM8K_FLEXIBLE_PATTERN, -1)],
  gsm8k_cot_zeroshot: [regexPipeline('strict-match', GSM8K_COT_STRICT_PATTERN), regexPipeline('flexible-extract', GSM8K_FLEXIBLE_PATTERN, -1)],
};

export interface ExactMatchOptions {
  ignoreCase?: boolean;
  ignorePunctuation?: boolean;
  ignoreNumbers?: boolean;
  /** Python `re` patterns, each removed (re.sub with "") from prediction and reference, in order. */
  regexesToIgnore?: string[];
}

/** The exact_match options all three gsm8k YAMLs set. */
export const GSM8K_EXACT_MATCH: ExactMatchOptions = {
  ignoreCase: true,
  ignorePunctuation: false,
  regexesToIgnore: [',', '\\$', '(?s).*#### ', '\\.$'],
};

// Python's string.punctuation.
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

function normalizeForExactMatch(s: string, options: ExactMatchOptions): string {
  let out = s;
  for (const pattern of options.regexesToIgnore ?? []) out = pythonSubLiteral(pattern, '', out);
  if (options.ignoreCase) out = out.toLowerCase();
  if (options.ignorePunctuation) out = out.replace(PUNCTUATION, '');
  if (options.ignoreNumbers) out = out.replace(/[0-9]/g, '');
  return out;
}

/** exact_match_hf_evaluate for one prediction: regexes first, then case, punctuation and digits, then equality. */
export function exactMatch(prediction: string, reference: string, options: ExactMatchOptions = {}): boolean {
  return normalizeForExactMatch(prediction, options) === normalizeForExactMatch(reference, options);
}
