'use client';

import { useActionState } from 'react';
import { submitCheckpoint, type SubmitFormState } from './actions.ts';
import styles from './submit.module.css';

const field = (name: string, label: string, hint: string, state: SubmitFormState, required = false) => (
  <label key={name} className={styles.field}>
    <span>
      {label}
      {required ? ' *' : ''}
    </span>
    <input name={name} defaultValue={state.values[name] ?? ''} required={required} aria-invalid={state.field === name || undefined} />
    <small className="muted">{hint}</small>
  </label>
);

export function SubmitForm({ roots }: { roots: string[] }) {
  const [state, action, pending] = useActionState(submitCheckpoint, { values: {} });
  return (
    <form action={action} className={`${styles.form} panel`}>
      {state.error ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : null}
      {field('checkpoint', 'Checkpoint folder', `A folder under ${roots.join(' or ') || '(no model roots configured)'}`, state, true)}
      {field('name', 'Model name', 'As shown on the boards', state, true)}
      {field('params', 'Parameters', 'e.g. 6.2B or 350M; checked against the weights', state)}
      {field('family', 'Family', 'e.g. llama', state)}
      {field('license', 'License', 'e.g. apache-2.0', state)}
      {field('revision', 'Revision', 'commit, tag or training step', state)}
      {field('boards', 'Boards', 'science,math (default: both)', state)}
      {field('tasks', 'Tasks', 'instead of boards: tasks, groups or suite files, comma-separated', state)}
      {field('limit', 'Limit', 'first N documents of each task (smoke tests)', state)}
      {field('dtype', 'Precision', 'which graph of a folder holding several: fp32 (default), fp16, q4, q4f16, q8, int8, uint8 or bnb4 (onnx/model_q4.onnx for q4)', state)}
      {field('applyChatTemplate', 'Chat template', "yes: the checkpoint's chat template (tokenizer_config.json or chat_template.jinja); or a template's name; no or empty: plain prompts", state)}
      {field('systemInstruction', 'System instruction', 'a system turn with a chat template, else text before each prompt', state)}
      {field('fewshotAsMultiturn', 'Few-shot as turns', 'true (default with a chat template) or false: exemplars in one user turn', state)}
      {field('genKwargs', 'Generation arguments', 'e.g. max_gen_toks=512,until=Question: (greedy only: do_sample=false, temperature=0)', state)}
      {field('seed', 'Seeds', 'N, or python,numpy,torch,fewshot as lm-eval --seed (default 0,1234,1234,1234)', state)}
      {field('shardSize', 'Shard size', 'documents per range, so several workers share a task (default: 64 for generation, 1000 for multiple choice)', state)}
      <label className={styles.field}>
        <span>API token *</span>
        <input name="token" type="password" required autoComplete="off" />
        <small className="muted">
          Created with <code>sciboard token create</code>
        </small>
      </label>
      <button type="submit" disabled={pending}>
        {pending ? 'Checking…' : 'Submit'}
      </button>
    </form>
  );
}
