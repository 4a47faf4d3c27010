export { cacheRoot, dataCacheDir, hubCacheDir, resolveDataDir, type Environment, type ResolvedDataDir } from './cacheDir.ts';
export { hubConfigFromEnv, resolveUrl, treeUrl, type HubConfig } from './hubConfig.ts';
export { HubError, listDatasetFiles, type HubFile } from './hubTree.ts';
export { downloadHubFile, type DownloadOptions } from './hubDownload.ts';
export { stderrProgress, type Progress } from './progress.ts';
export { CHECKSUMS_FILE, missingSuites, pullSuites, readChecksums, type PullOptions, type PullResult, type PulledSuite } from './pull.ts';
export { SUITES, suiteById, type OutputFile, type SuiteSource } from './suites.ts';
export { pullCommandFor, suitesForTasks, UnknownSuiteError } from './taskSuites.ts';
