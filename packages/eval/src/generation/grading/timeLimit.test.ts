/**
 * The hard time limit on equivalence checks: a check that would run on is stopped (its worker thread terminated
 * and replaced), counted as not equivalent with the reason kept, and the checks around it are unaffected. Short
 * limits keep these tests fast; wall-time bounds are deliberately generous.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { scoreMinerva } from '../math.ts';
import { GradingPool } from './pool.ts';
import { ADVERSARIAL_ANSWERS, BUSY_MARKER, minervaCompletion } from '../../testing/adversarialMath.ts';

const BUSY = BUSY_MARKER;
const LIMIT_MS = 1000;
const TIMEOUT_NOTE = /^time limit: no verdict within 1 s$/;
const ADVERSARIAL = ADVERSARIAL_ANSWERS;
const completion = minervaCompletion;

describe('grading pool time limit', () => {
  const pool = new GradingPool({ size: 2, timeLimitMs: LIMIT_MS, busyMarker: BUSY });
  afterAll(() => pool.close());

  it('stops a check that never returns, replaces its worker and keeps grading', async () => {
    const started = Date.now();
    const [spin, spin2, plain, other] = await Promise.all([pool.minerva(BUSY, '1'), pool.mathVerify(BUSY, '$1$'), pool.minerva('2', '2'), pool.minerva('3', '4')]);
    expect(spin).toEqual({ equal: false, timedOut: true, reason: 'time limit: no verdict within 1 s' });
    expect(spin2).toMatchObject({ equal: false, timedOut: true });
    expect(plain.equal).toBe(true);
    expect(other.equal).toBe(false);
    expect(pool.timeouts).toBe(2);
    // The replacement workers answer as before.
    expect((await pool.minerva('\\frac{6}{3}', '2')).equal).toBe(true);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('scores a timed-out minerva item 0 and keeps the reason in its notes', async () => {
    const s = await scoreMinerva(completion(BUSY), { answer: '1', solution: 'So $\\boxed{1}$.' }, { grader: pool });
    expect(s.scores['exact_match,none']).toBe(0);
    expect(s.notes?.['exact_match,none']).toMatch(TIMEOUT_NOTE);
    expect(s.filtered.none).toBe(BUSY);
  });

  it('grades the real adversarial answers not equivalent, within about the limit each', async () => {
    const started = Date.now();
    const scored = await Promise.all(
      ADVERSARIAL.map(([, answer, gold]) => scoreMinerva(completion(answer), { answer: gold, solution: `Hence $\\boxed{${gold}}$.` }, { grader: pool })),
    );
    scored.forEach((s, i) => {
      expect(s.scores['exact_match,none'], ADVERSARIAL[i]![0]).toBe(0);
      expect(s.scores['math_verify,none'], ADVERSARIAL[i]![0]).toBe(0);
      // Either a verdict within the limit (the equivalence may give its reason, e.g. "too large"), or the check
      // was stopped there and the note says so; either way the reason is a readable sentence, not an empty field.
      const note = s.notes?.['exact_match,none'];
      if (note !== undefined) expect(note.trim().length, ADVERSARIAL[i]![0]).toBeGreaterThan(3);
    });
    // Four items, two workers, two checks each, at most one limit per check plus worker restarts.
    expect(Date.now() - started).toBeLessThan(90_000);
  });

  it('refuses work after close', async () => {
    const p = new GradingPool({ size: 1, timeLimitMs: LIMIT_MS });
    await p.close();
    await expect(p.minerva('1', '1')).rejects.toThrow(/closed/);
  });
});
