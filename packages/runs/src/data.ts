/**
 * The suites' data for `sciboard data` and `start`: where it is looked for, and pulling it from a hub into the
 * cache in its release layout. The CLI reaches @sciboard/datasets through here.
 */
export {
  cacheRoot,
  dataCacheDir,
  HubError,
  hubConfigFromEnv,
  missingSuites,
  pullCommandFor,
  pullSuites,
  readChecksums,
  resolveDataDir,
  stderrProgress,
  SUITES,
  suitesForTasks,
  treeUrl,
  UnknownSuiteError,
} from '@sciboard/datasets';
export type { SuiteSource } from '@sciboard/datasets';
