import { InvalidArgumentError } from 'commander';
import { type Dtype, DTYPES } from '@sciboard/runs';

export function positiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}"`);
    return n;
  };
}

export function nonNegativeInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a non-negative integer, got "${value}"`);
    return n;
  };
}

export function deviceOption(value: string): 'auto' | 'cuda' | 'cpu' {
  if (value === 'auto' || value === 'cuda' || value === 'cpu') return value;
  throw new InvalidArgumentError(`--device must be auto, cuda or cpu, got "${value}"`);
}

export function positiveSeconds(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number of seconds, got "${value}"`);
    return n;
  };
}

export function hendrycksExtractionOption(value: string): 'lm-eval' | 'boxed-first' {
  if (value === 'lm-eval' || value === 'boxed-first') return value;
  throw new InvalidArgumentError(`--hendrycks-extraction must be lm-eval or boxed-first, got "${value}"`);
}

/** `--dtype`: which published graph of a checkpoint folder to load, in transformers.js's precision names. */
export function dtypeOption(value: string): Dtype {
  if ((DTYPES as readonly string[]).includes(value)) return value as Dtype;
  throw new InvalidArgumentError(`--dtype must be one of ${DTYPES.join(', ')}, got "${value}"`);
}

export const DTYPE_HELP = `graph to load from a folder holding several precisions: ${DTYPES.join(' | ')} (onnx/model_q4.onnx for q4, as transformers.js picks; default fp32)`;
