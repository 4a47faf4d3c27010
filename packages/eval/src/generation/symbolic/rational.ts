/** Exact rationals over BigInt, always reduced with a positive denominator. */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rat(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export const ZERO = rat(0n);
export const ONE = rat(1n);

export const add = (a: Rational, b: Rational): Rational => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rat(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational): Rational => rat(a.n * b.d, a.d * b.n);
export const neg = (a: Rational): Rational => ({ n: -a.n, d: a.d });
export const isZero = (a: Rational): boolean => a.n === 0n;
export const isInteger = (a: Rational): boolean => a.d === 1n;
export const eq = (a: Rational, b: Rational): boolean => a.n === b.n && a.d === b.d;

/** Bit length of a non-negative BigInt (0 for 0). */
export function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  return x === 0n ? 0 : x.toString(2).length;
}

/** Nearest double (correct to within an ulp or so, which is all the numeric checks need). */
export function toNumber(a: Rational): number {
  const bits = Math.max(bitLength(a.n), bitLength(a.d));
  if (bits < 1000) return Number(a.n) / Number(a.d);
  const shift = BigInt(bits - 900);
  // Scale both down by the same power of two; the ratio keeps ~53 significant bits.
  const nn = Number(a.n >> shift);
  const dd = Number(a.d >> shift);
  if (dd !== 0 && Number.isFinite(nn)) return nn / dd;
  const sign = a.n < 0n ? -1 : 1;
  return bitLength(a.n) > bitLength(a.d) ? sign * Infinity : 0;
}

/** a^k for an integer k, or null when the result would exceed maxBits. */
export function powInt(a: Rational, k: bigint, maxBits: number): Rational | null {
  if (k === 0n) return ONE;
  if (k < 0n) {
    if (a.n === 0n) return null;
    a = rat(a.d, a.n);
    k = -k;
  }
  const size = Math.max(bitLength(a.n), bitLength(a.d));
  if (size > 1 && Number(k) * size > maxBits) return null;
  return rat(a.n ** k, a.d ** k);
}

/** Exact integer k-th root of a non-negative BigInt, or null when it is not a perfect power. */
export function exactRoot(x: bigint, k: number): bigint | null {
  if (x < 0n) return null;
  if (x < 2n) return x;
  const approx = BigInt(Math.round(Math.pow(Number(x), 1 / k)));
  if (bitLength(x) < 900) {
    for (const c of [approx - 1n, approx, approx + 1n]) if (c >= 0n && c ** BigInt(k) === x) return c;
    return null;
  }
  // Newton iteration for large values.
  let r = 1n << BigInt(Math.ceil(bitLength(x) / k) + 1);
  const K = BigInt(k);
  for (let i = 0; i < 4000; i++) {
    const next = ((K - 1n) * r + x / r ** (K - 1n)) / K;
    if (next >= r) break;
    r = next;
  }
  return r ** K === x ? r : null;
}

/** Parses a decimal literal ("12.50") exactly. */
export function fromDecimal(text: string): Rational {
  const [whole, frac = ''] = text.split('.');
  return rat(BigInt((whole ?? '0') + frac || '0'), 10n ** BigInt(frac.length));
}

/** The nearest binary float with `bits` significant bits (ties to even), as mpmath rounds. */
export function roundToBits(r: Rational, bits: number): Rational {
  if (r.n === 0n) return r;
  const negative = r.n < 0n;
  const n = negative ? -r.n : r.n;
  const p = BigInt(bits);
  let e = bitLength(n) - bitLength(r.d) - bits;
  const scaled = (k: number): [bigint, bigint] => (k >= 0 ? [n, r.d << BigInt(k)] : [n << BigInt(-k), r.d]);
  let [sn, sd] = scaled(e);
  let q = sn / sd;
  while (q >= 1n << p) [sn, sd] = scaled(++e), (q = sn / sd);
  while (q < 1n << (p - 1n)) [sn, sd] = scaled(--e), (q = sn / sd);
  const rem2 = 2n * (sn - q * sd);
  if (rem2 > sd || (rem2 === sd && (q & 1n) === 1n)) q += 1n;
  const v = e >= 0 ? rat(q << BigInt(e)) : rat(q, 1n << BigInt(-e));
  return negative ? neg(v) : v;
}

/** The exact value of a finite double. */
export function fromDouble(v: number): Rational {
  if (!Number.isFinite(v)) throw new RangeError('not a finite number');
  let scale = 0;
  while (!Number.isInteger(v) && scale < 1100) {
    v *= 2;
    scale++;
  }
  return rat(BigInt(v), 1n << BigInt(scale));
}
