export * from './model.ts';
export * from './task.ts';
export * from './sink.ts';
export * from './generation/index.ts';
export { DataFormatError } from './data/errors.ts';
export { readCsvRows, type CsvRow } from './data/csv.ts';
export { readJsonl } from './data/jsonl.ts';
export { loadCevalSubject, loadCevalSubjectMapping, type CevalDoc, type CevalSubjectInfo } from './data/ceval.ts';
export { loadMmluSubject, type MmluDoc } from './data/mmlu.ts';
export { loadAgievalMultipleChoice, agievalZeroShotQuery, type AgievalDoc } from './data/agieval.ts';
export { CEVAL_SUBJECTS, cevalTasks, cevalGroups } from './tasks/ceval.ts';
export { MMLU_SUBJECTS, mmluTasks, mmluGroups } from './tasks/mmlu.ts';
export { agievalSatMath } from './tasks/agieval.ts';
export { scievalValid, scievalCorrect, scievalChance } from './tasks/scieval.ts';
export { loadScieval, type ScievalDoc } from './data/scieval.ts';
export { scibenchTasks, scibenchGroups, scoreScibenchCompletion } from './scibench/tasks.ts';
export { scoreScibench, scibenchAnswer, scibenchEquiv, pythonFloat, pythonIsClose, type ScibenchVerdict } from './scibench/scoring.ts';
export { loadScibenchBook, SCIBENCH_BOOKS, type ScibenchDoc } from './scibench/data.ts';
export { mathematicsTasks, mathematicsGroups, MATHEMATICS_MODULES, scoreMathematics } from './mathematics/tasks.ts';
export { extractMathematicsAnswer, mathematicsEquivalent } from './mathematics/answer.ts';
export { loadMathematicsModule, type MathematicsDoc } from './mathematics/data.ts';
export { boardGroups } from './tasks/boards.ts';
export { defineTemplateTask, argmax, type TemplateTaskSpec, type MultipleChoiceSpec, type GenerateSpec } from './tasks/templateTask.ts';
export { applyFilters, exactMatch, INVALID_ANSWER, type FilterPipeline, type FilterStep } from './tasks/filters.ts';
export { getTaskDefinition, getGroupDefinition, resolveTasks, listTasks, listGroups, leafTasksOf, rowScoringOf, gradableNames, UnknownTaskError } from './registry.ts';
export { loadTaskSpec, isTaskSpecPath, taskSpecDataFiles } from './spec.ts';
export * from './aggregate.ts';
export {
  evaluate,
  requestHash,
  PromptChangedError,
  DEFAULT_BOOTSTRAP_ITERS,
  DEFAULT_STORE_EVERY,
  LM_EVAL_SEEDS,
  type EvaluateOptions,
  type EvaluateScoringOptions,
  type EvaluationOutput,
  type TaskProgress,
} from './evaluator.ts';
export { formatResultsTable, summarizeRun, scoreRows, type ResultsJson, type ResultEntry, type ScoreRow, type RunSummaries, type ScoredTask } from './results.ts';
export { scoreStored, MissingItemsError, type ScoreStoredOptions, type StoredScores } from './stored.ts';
export type { SampleRecord } from './samples.ts';
export { JsonlSink } from './jsonlSink.ts';
export { docHash, sha256 } from './hash.ts';
export { parseTaskArguments, type TaskArguments } from './taskArguments.ts';
export { plainPrompt, chatMessages, maybeDelimit, type PromptParts, type PromptShot, type ChatMessage, type ChatRole } from './chat/prompt.ts';
export { loadChatTemplate, renderChat, ChatTemplateError, type ChatTemplate } from './chat/template.ts';
export {
  checkEvalSettings,
  checkGenKwargs,
  checkSeeds,
  parseGenKwargs,
  parseSeed,
  settingsConfig,
  settingsFromConfig,
  isDefaultSettings,
  SettingsError,
  DEFAULT_SEEDS,
  type EvalSettings,
  type GenKwargs,
  type Seeds,
} from './chat/settings.ts';
export { applyPromptFormat, type PromptFormat } from './chat/apply.ts';
export { SAMPLE_SUITES_DIR, sampleSuiteFiles } from './sample-suites.ts';
