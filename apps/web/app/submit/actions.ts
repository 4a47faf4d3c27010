'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { submissionFields } from '@sciboard/runs';
import { authenticate, checkRate, clientAddress, confinePath, formatZodError, intake, IntakeError } from '../api/submissions/intake.ts';
import { getStore } from '../../lib/store.ts';

export interface SubmitFormState {
  error?: string;
  field?: string;
  values: Record<string, string>;
}

const FIELDS = ['checkpoint', 'name', 'params', 'family', 'license', 'revision', 'boards', 'tasks', 'limit', 'shardSize', 'dtype', 'applyChatTemplate', 'systemInstruction', 'fewshotAsMultiturn', 'genKwargs', 'seed'] as const;

/** The form's server action: the same checks as POST /api/submissions, then on to the queue. */
export async function submitCheckpoint(_previous: SubmitFormState, form: FormData): Promise<SubmitFormState> {
  const values = Object.fromEntries(FIELDS.map((f) => [f, String(form.get(f) ?? '')]));
  let target: string;
  try {
    const store = await getStore();
    const secret = String(form.get('token') ?? '').trim();
    if (!secret) throw new IntakeError(401, 'a token is required (create one with `sciboard token create`)', 'token');
    const token = await authenticate(store, `Bearer ${secret}`, clientAddress((await headers()).get('x-forwarded-for')));
    checkRate(token.id);
    const fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
    const parsed = submissionFields.safeParse(fields);
    if (!parsed.success) throw formatZodError(parsed.error);
    if (!parsed.data.checkpoint) throw new IntakeError(400, 'checkpoint: give the folder as a path under the model roots', 'checkpoint');
    const dir = confinePath(parsed.data.checkpoint);
    const outcome = await intake(store, parsed.data, dir, `token:${token.name}`);
    target = `/queue?${outcome.kind === 'duplicate' ? 'duplicate' : 'submitted'}=${outcome.submission.id}`;
  } catch (err) {
    if (err instanceof IntakeError) return { error: err.message, field: err.field, values };
    throw err;
  }
  redirect(target);
}
