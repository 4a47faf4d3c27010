/**
 * The sample suites this package ships (`samples/*.yaml` with their data): small suites of the project's own
 * writing, so that the demo and the tests run without any dataset. Found beside the package's code, as a bundle
 * that copies them beside itself finds them too (packages/cli/scripts/build.mjs).
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLE_SUITES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../samples');

/** The sample suites' spec files, in name order. */
export function sampleSuiteFiles(): string[] {
  return readdirSync(SAMPLE_SUITES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(SAMPLE_SUITES_DIR, f));
}
