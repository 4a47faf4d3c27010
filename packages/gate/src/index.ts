/** The CI regression gate: load two runs, compare them per task, decide, and render the verdict. */
export * from './input.ts';
export * from './report.ts';
export { compareRuns, runGate, defaultGateSettings, type GateOptions, type GateSettings } from './gate.ts';
export { loadGateConfig, parseGateConfig, type GateFileConfig, type TaskSettings } from './config.ts';
export { loadLmEvalRun, readSamplesFile } from './lmeval-loader.ts';
export { loadGateInput, type RefResolver } from './refs.ts';
export {
  exactMcNemar, holmAdjust, newcombePairedInterval, pairedBootstrap, seededRandom, twoProportionZTest, wilsonInterval, type PairedCounts,
} from './stats.ts';
export { pairedBinaryDetectableDrop, pairedMeanDetectableDrop, unpairedDetectableDrop, type DetectableDrop } from './power.ts';
export { renderMarkdown, renderTable } from './render.ts';
export { renderJunit } from './junit.ts';
export { databaseResolver, type GateStore } from './db-loader.ts';
