import { describe, expect, it } from 'vitest';
import { add, apply, exactValue, fn, INFINITY, isZeroDifference, mul, pow, rat, ratExpr, symbol } from './index.ts';
import { floatLiteral } from '../latex/index.ts';

const n = (p: bigint, q = 1n) => ratExpr(rat(p, q));
const x = symbol('x');

describe('symbolic core', () => {
  it('computes exact rationals where sympy is exact', () => {
    expect(exactValue(add(n(1n, 3n), n(1n, 6n)))).toEqual(rat(1n, 2n));
    expect(exactValue(pow(n(8n), n(2n, 3n)))).toEqual(rat(4n));
    expect(exactValue(pow(n(2n), n(1n, 2n)))).toBeNull();
    expect(exactValue(fn('factorial', n(20n)))).toEqual(rat(2432902008176640000n));
  });

  it('decides a - b == 0 as sympy simplify does', () => {
    expect(isZeroDifference(mul(n(2n), pow(n(2n), n(1n, 2n))), pow(n(8n), n(1n, 2n))).equal).toBe(true);
    expect(isZeroDifference(pow(add(x, n(1n)), n(2n)), add(pow(x, n(2n)), mul(n(2n), x), n(1n))).equal).toBe(true);
    expect(isZeroDifference(pow(pow(x, n(2n)), n(1n, 2n)), x).equal).toBe(false);
    expect(isZeroDifference(floatLiteral('0.1'), n(1n, 10n)).equal).toBe(true);
    expect(isZeroDifference(floatLiteral('0.333'), n(1n, 3n)).equal).toBe(false);
    expect(isZeroDifference(apply('f', [x]), apply('f', [x])).equal).toBe(true);
    expect(isZeroDifference(apply('f', [x]), apply('g', [x])).equal).toBe(false);
  });

  it('cancels what sympy cancels without computing it, and says why it could not compare', () => {
    const huge = fn('factorial', n(99999999n));
    expect(isZeroDifference(huge, huge)).toEqual({ equal: true });
    expect(isZeroDifference(huge, n(5n)).reason).toMatch(/^too large/);
    expect(isZeroDifference(INFINITY, INFINITY).reason).toMatch(/nan/);
    expect(isZeroDifference(mul(x, INFINITY), mul(x, INFINITY)).equal).toBe(true);
  });
});
