/** Reader for the DeepMind Mathematics generator's text files: `<module>.txt`, lines alternate question / answer. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError, readUtf8DataFile } from '../data/errors.ts';

export interface MathematicsDoc extends Record<string, unknown> {
  module: string;
  question: string;
  answer: string;
}

export type MathematicsSplit = 'interpolate' | 'extrapolate';

export function mathematicsFile(dataDir: string, module: string, split: MathematicsSplit = 'interpolate'): string {
  return join(dataDir, 'mathematics', split, `${module}.txt`);
}

/** The modules present in a split's folder, sorted (the task list itself is fixed in tasks.ts). */
export function listMathematicsModules(dataDir: string, split: MathematicsSplit = 'interpolate'): string[] {
  return readdirSync(join(dataDir, 'mathematics', split))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -'.txt'.length))
    .sort();
}

export function loadMathematicsModule(dataDir: string, module: string, split: MathematicsSplit = 'interpolate'): MathematicsDoc[] {
  const file = mathematicsFile(dataDir, module, split);
  const lines = readUtf8DataFile(file, readFileSync).replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  if (lines.length % 2 !== 0) {
    throw new DataFormatError(file, lines.length, undefined, 'expected question and answer lines in pairs (an odd number of lines was found)');
  }
  const docs: MathematicsDoc[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const question = lines[i]!.trim();
    const answer = lines[i + 1]!.trim();
    if (question === '' || answer === '') throw new DataFormatError(file, question === '' ? i + 1 : i + 2, undefined, 'expected a non-empty question and answer');
    docs.push({ module, question, answer });
  }
  return docs;
}
