import type { GroupDefinition, TaskDefinition } from '../task.ts';
import { gsm8kTasks } from './gsm8k.ts';
import { mathGroups, mathTasks } from './math.ts';

export { PythonRandom } from '../python/random.ts';
export { pythonRegex, pythonFindall } from '../python/regex.ts';
export {
  exactMatch,
  regexFilter,
  gsm8kFilters,
  GSM8K_EXACT_MATCH,
  INVALID,
  type ExactMatchOptions,
  type RegexFilterOptions,
  type FilterOutcome,
} from './scoring.ts';
export { gsm8kTasks, gsm8kShotIndices, scoreGsm8k, FEWSHOT_SEED } from './gsm8k.ts';
export { GSM8K_COT_EXEMPLARS } from './gsm8kExemplars.ts';
export { loadGsm8k, loadMath, type Gsm8kDoc, type MathDoc } from './data.ts';

export {
  lastBoxedOnlyString,
  extractBoxed,
  removeBoxed,
  getUnnormalizedAnswer,
  normalizeFinalAnswer,
  stripString,
  hendrycksIsEquiv,
  hendrycksExtractAnswer,
  hendrycksDollarSpan,
  HENDRYCKS_EXTRACTION_MODES,
  type HendrycksExtractionMode,
  minervaGoldAnswer,
  hendrycksGoldAnswer,
  PythonStyleError,
  SUBSTITUTIONS,
  REMOVED_EXPRESSIONS,
  MINERVA_INVALID_ANSWER,
} from './mathAnswers.ts';
export { minervaEquivalence, minervaIsEquiv, type EquivalenceVerdict, type MinervaEquivOptions } from './mathEquivalence.ts';
export { mathVerify, type MathVerifyVerdict } from './mathVerify/index.ts';
export { mathTasks, mathGroups, MATH_SUBJECTS, scoreMinerva, scoreHendrycks, mathGoldAnswer, type MinervaScoreOptions } from './math.ts';
export { GradingPool, sharedGradingPool, DEFAULT_TIME_LIMIT_MS, type MathGrader, type GradingPoolOptions, type CheckVerdict, type GradingJob } from './grading/pool.ts';
export { MINERVA_FEWSHOT_SAMPLES } from './minervaExemplars.ts';

export const generationTasks: TaskDefinition[] = [...gsm8kTasks, ...mathTasks];
export const generationGroups: GroupDefinition[] = [...mathGroups];
