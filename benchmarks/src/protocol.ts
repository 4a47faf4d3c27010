import type { ChoiceItem, GenerationItem, Workload } from './workloads.ts';

export type PeerKind = 'naive' | 'transformers' | 'sciboard';

/** The engine's switches (`LoadOptions.fast`); each rung of the ablation ladder turns one more on. */
export interface FastSwitches {
  sliceLogits: boolean;
  groupContexts: boolean;
  prefixCache: boolean;
  refill: boolean;
  decodeLoop: boolean;
}

/**
 * What a peer process is started with. It loads the model once and then runs one round per line it reads on
 * stdin (a `PeerRound`), answering each with a line on stdout once the round's report is written.
 */
export interface PeerJob {
  peer: PeerKind;
  /** Names the peer in reports: `sciboard`, `sciboard:+prefixCache`, ... */
  label: string;
  modelDir: string;
  threads: number;
  fast?: FastSwitches;
  /** The engine with int8 weights (opt-in); its outputs are compared with float32's within a tolerance. */
  int8?: boolean;
  /** Rows per forward for the engine; other peers batch a workload's rows as given by the workload. */
  batchSize: number;
}

/** One round of a peer: its workloads, in order, and where its report goes. */
export interface PeerRound {
  workloads: Workload[];
  /** Keep per-item outputs (log-likelihoods, texts) so the orchestrator can compare them with the oracle. */
  keepOutputs: boolean;
  resultPath: string;
}

export interface ChoiceOutput {
  logprob: number;
  isGreedy: boolean;
}

export interface WorkloadMeasurement {
  workload: string;
  seconds: number;
  /** Questions or prompts completed. */
  items: number;
  generatedTokens?: number;
  /** Decode workloads: time until the first new token of every row (a separate one-token call; both calls timed warm). */
  ttftSeconds?: number;
  choices?: ChoiceOutput[][];
  texts?: string[];
}

export interface PeerReport {
  label: string;
  peer: PeerKind;
  /** Time the process took to load the model (once, before its first round). */
  loadSeconds: number;
  /** Peak resident set of the whole peer process, model included, up to the end of this round. */
  maxRssMb: number;
  measurements: WorkloadMeasurement[];
  /** What the peer ran on: ONNX Runtime version, provider, whether logits were sliced, ... */
  details: Record<string, string | number | boolean>;
}

/** What every peer implements; the measuring loop around it is shared (peer-main.ts). */
export interface PeerRunner {
  choose(items: ChoiceItem[]): Promise<ChoiceOutput[][]>;
  /** Greedy generation of all items, `batchSize` rows at a time where the peer batches. */
  generate(items: GenerationItem[], batchSize: number): Promise<{ texts: string[]; generatedTokens: number }>;
  details(): Record<string, string | number | boolean>;
  /**
   * Called before every workload: a peer that keeps state across calls (the engine's shared-prefix cache) drops
   * it, so that a slice costs what it would cost a suite's run that meets it for the first time, whatever ran
   * before it in the process (an earlier round of the same slice, another slice of the same suite).
   */
  forget?(): void;
  dispose(): Promise<void>;
}
