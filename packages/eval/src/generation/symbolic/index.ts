/**
 * Symbolic core: expression trees as sympy's LaTeX reader builds them, exact rationals, and the zero decision
 * sympy's `simplify(a - b) == 0` makes. Pure functions, no shared state.
 *
 * - `Expr` and the constructors in `expr.ts` (`key` gives an order-free canonical text);
 * - `exactValue(expr)`: exact rational value of a symbol-free tree, or null;
 * - `evaluateComplex(expr, env)`: complex double value at given symbol values;
 * - `isZeroDifference(a, b)`: whether `a - b` simplifies to zero, with a reason when it could not be compared.
 */
export * from './expr.ts';
export type { Rational } from './rational.ts';
export { rat, fromDecimal } from './rational.ts';
export { exactValue, TooLargeError } from './exact.ts';
export { evaluateComplex, type Complex } from './numeric.ts';
export { isZeroDifference, type ZeroVerdict } from './zero.ts';
