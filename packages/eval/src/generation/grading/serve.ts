/**
 * Worker-thread side of the grading pool: runs one check at a time and answers with a verdict. A check that
 * throws is "not equal" with the error as its reason, as lm-eval's graders count a failed comparison.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { minervaEquivalence } from '../mathEquivalence.ts';
import { mathVerify } from '../mathVerify/index.ts';
import type { CheckVerdict, FromWorker, GradingJob, ToWorker, WorkerSettings } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('grading/serve.ts runs only as a worker thread');
const settings = (workerData ?? {}) as WorkerSettings;

function busyLoop(): never {
  // Deliberately CPU-bound and endless: stands for a computation only termination can stop.
  let x = 0;
  for (;;) x = (x * 1103515245 + 12345) % 2147483648;
}

function check(job: GradingJob): CheckVerdict {
  const inputs = job.kind === 'minerva' ? [job.answer, job.gold] : [job.goldSolution, job.completion];
  if (settings.busyMarker !== undefined && inputs.includes(settings.busyMarker)) busyLoop();
  try {
    if (job.kind === 'minerva') {
      const v = minervaEquivalence(job.answer, job.gold, job.options);
      return v.reason === undefined ? { equal: v.equal } : { equal: v.equal, reason: v.reason };
    }
    const v = mathVerify(job.goldSolution, job.completion);
    return v.reason === undefined ? { equal: v.correct } : { equal: v.correct, reason: v.reason };
  } catch (err) {
    return { equal: false, reason: `${job.kind} raised: ${(err as Error).message ?? String(err)}` };
  }
}

// Warm up (module-level initialisation, first parse) before taking checks, so the time limit measures checks.
check({ kind: 'minerva', answer: '1', gold: '1' });
check({ kind: 'math_verify', goldSolution: '$\\boxed{1}$', completion: '$1$' });

port.on('message', (m: ToWorker) => {
  if (m.type !== 'check') return;
  port.postMessage({ type: 'verdict', id: m.id, verdict: check(m.job) } satisfies FromWorker);
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
