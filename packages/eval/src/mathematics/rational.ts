/** Exact rationals over BigInt, always in lowest terms with a positive denominator. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den = 1n) {
    if (den === 0n) throw new RangeError('division by zero');
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num < 0n ? -num : num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }

  static of(n: number | bigint): Rational {
    return new Rational(BigInt(n));
  }

  /** An exact decimal (`-12.50`, `3e-4`) as a rational; null for anything else. */
  static fromDecimal(text: string): Rational | null {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
    const frac = m[3] ?? '';
    const exp = m[4] ? Number(m[4]) : 0;
    if (Math.abs(exp) > 400) return null;
    let num = BigInt(`${m[2] || '0'}${frac}`);
    let den = 10n ** BigInt(frac.length);
    if (exp > 0) num *= 10n ** BigInt(exp);
    if (exp < 0) den *= 10n ** BigInt(-exp);
    return new Rational(m[1] === '-' ? -num : num, den);
  }

  add(o: Rational): Rational {
    return new Rational(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return new Rational(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rational): Rational {
    return new Rational(this.num * o.num, this.den * o.den);
  }
  div(o: Rational): Rational {
    return new Rational(this.num * o.den, this.den * o.num);
  }
  neg(): Rational {
    return new Rational(-this.num, this.den);
  }
  isZero(): boolean {
    return this.num === 0n;
  }
  isInteger(): boolean {
    return this.den === 1n;
  }
  equals(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }
  /** Integer powers only; the caller bounds the exponent. */
  pow(k: bigint): Rational {
    if (k < 0n) return new Rational(this.den, this.num).pow(-k);
    return new Rational(this.num ** k, this.den ** k);
  }
  /** Bits in numerator and denominator, to refuse values that grow without bound. */
  size(): number {
    return bits(this.num) + bits(this.den);
  }
  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }
  toString(): string {
    return this.den === 1n ? `${this.num}` : `${this.num}/${this.den}`;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function bits(n: bigint): number {
  return (n < 0n ? -n : n).toString(16).length * 4;
}
