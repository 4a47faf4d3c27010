import type { ModelType } from './schema/shared.ts';

export type Band = 'API' | '≤3B' | '6B-7B' | '12B-13B' | '30B-34B' | '65B-72B' | '>72B';

/** Checkpoints submitted without a parameter count: evaluated here, so not API models, but of no known size. */
export const UNKNOWN_SIZE_BAND = 'Unknown size';

export const BANDS: readonly Band[] = ['API', '≤3B', '6B-7B', '12B-13B', '30B-34B', '65B-72B', '>72B'];

/**
 * The parameter band a model is listed under. Bands are named after the usual release sizes; sizes between
 * them go to the nearer band (cut points roughly halfway, so a 4B model sits with the small ones and a 72.7B
 * model with 65B-72B). A model without a known size is listed with the API models, as in the SciGLM tables.
 */
export function bandForParams(billions?: number | null, modelType?: ModelType | null): Band {
  if (modelType === 'api' || billions === undefined || billions === null) return 'API';
  if (!Number.isFinite(billions) || billions <= 0) {
    throw new Error(`parameter count must be a positive number of billions, got ${billions}`);
  }
  if (billions <= 4.5) return '≤3B';
  if (billions <= 9.5) return '6B-7B';
  if (billions <= 22) return '12B-13B';
  if (billions <= 50) return '30B-34B';
  if (billions <= 75) return '65B-72B';
  return '>72B';
}
