import { INVALID, regexFilter } from '../generation/scoring.ts';

/**
 * The filters every generation suite uses (built-in and spec-file alike), and its metric, as lm-eval defines them:
 * `regex` (lm_eval/filters/extraction.py RegexFilter: group_select, fallback "[invalid]") then `take_first`,
 * and `exact_match` with ignore_case / ignore_punctuation / regexes_to_ignore (lm_eval/api/metrics.py).
 */
export interface RegexStep {
  function: 'regex';
  regexPattern: string;
  groupSelect?: number;
  fallback?: string;
}

export interface TakeFirstStep {
  function: 'take_first';
}

export type FilterStep = RegexStep | TakeFirstStep;

export interface FilterPipeline {
  name: string;
  steps: FilterStep[];
}

/** RegexFilter's fallback; the same constant the built-in generation suites use. */
export const INVALID_ANSWER = INVALID;

/**
 * Applies a filter pipeline to one completion; `found` is false when a regex fell back. Regex steps are
 * lm-eval's RegexFilter (Python `re` semantics, negative group_select), shared with the built-in suites.
 */
export function applyFilters(pipeline: FilterPipeline, text: string): { answer: string; found: boolean } {
  let answer = text;
  let found = true;
  for (const step of pipeline.steps) {
    if (step.function === 'take_first') continue; // One completion per document: taking the first is the identity.
    const outcome = regexFilter(answer, { pattern: step.regexPattern, groupSelect: step.groupSelect, fallback: step.fallback });
    answer = outcome.answer;
    found &&= outcome.found;
  }
  return { answer, found };
}

/** Pipelines as lm-eval's `filter_list` config writes them (results.json `configs`). */
export function filterListConfig(pipelines: FilterPipeline[]): Record<string, unknown>[] {
  return pipelines.map((p) => ({
    name: p.name,
    filter: p.steps.map((step) =>
      step.function === 'take_first'
        ? { function: 'take_first' }
        : {
            function: 'regex',
            regex_pattern: step.regexPattern,
            ...(step.groupSelect !== undefined ? { group_select: step.groupSelect } : {}),
            ...(step.fallback !== undefined ? { fallback: step.fallback } : {}),
          },
    ),
  }));
}

export { exactMatch, type ExactMatchOptions } from '../generation/scoring.ts';
