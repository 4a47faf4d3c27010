/**
 * Axis ticks for percentage charts. Recharts derives ticks from the data's extent when error bars reach past a
 * fixed domain, and prints them as computed (`86.46000000000001%`); these keep the axis on round values.
 */

/** A tick label: whole percent when the value is (nearly) whole, else one decimal. */
export function percentTick(value: number): string {
  if (!Number.isFinite(value)) return '';
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}

/** Fixed ticks for a 0–100% axis. */
export const PERCENT_TICKS = [0, 20, 40, 60, 80, 100];
