/**
 * A submission's fields, checked with one zod schema by the site's form, its API and `sciboard submit`, and the
 * checks a submission of a checkpoint folder under a site's model roots must pass before it is queued.
 */
import { modelFieldsSchema } from '@sciboard/db';
import { checkGenKwargs, isTaskSpecPath, parseGenKwargs, parseSeed, type EvalSettings } from '@sciboard/eval';
import { DTYPES } from '@sciboard/onnx/layout';
import { z } from 'zod';
import { checkCheckpointLayout, checkpointContentHash, parseParams } from './checkpoint.ts';
import { confineCheckpoint, confinePath, confineSpecData } from './confine.ts';
import { planSubsets } from './plan.ts';
import { shardSizeProblem } from './ranges.ts';
import type { SubmissionRequest } from './submit.ts';
import { checkTaskData } from './task-data.ts';

/** A column's own type, without the nullable and optional wrappers drizzle-zod puts around a nullable column. */
type ColumnType<C> = C extends z.ZodOptional<infer T> ? ColumnType<T> : C extends z.ZodNullable<infer T> ? ColumnType<T> : C;
/** A field for a nullable column is optional, an empty answer meaning not given; a notNull column's is required. */
type ColumnField<C, S extends z.ZodType> = C extends z.ZodOptional<z.ZodType> ? z.ZodPipe<z.ZodOptional<S>, z.ZodTransform<z.output<S> | undefined, z.output<S> | undefined>> : S;

/**
 * The form field of a `models` column, from its schema in @sciboard/db's `modelFieldsSchema` (derived from the
 * table with drizzle-zod): `rules` refine the column's type, as drizzle-zod's refinements do, and whether the
 * field may be left out follows the column. A form sends no null, so an optional field takes text or nothing.
 */
export function columnField<C extends z.ZodType, S extends z.ZodType>(column: C, rules: (type: ColumnType<C>) => S): ColumnField<C, S> {
  let type: z.ZodType = column;
  while (type instanceof z.ZodOptional || type instanceof z.ZodNullable) type = type.unwrap() as z.ZodType;
  const field = rules(type as ColumnType<C>);
  const optional = column.safeParse(undefined).success;
  return (optional ? field.optional().transform((v) => (v === '' ? undefined : v)) : field) as ColumnField<C, S>;
}

const column = modelFieldsSchema.shape;
const text = (type: z.ZodString) => type.trim().max(200);
/** The submission's fields that are `models` columns: every column `modelFieldsSchema` picks, and no other. */
const modelFields = {
  name: columnField(column.name, (type) => type.trim().min(1, 'must not be empty').max(200)),
  // The size as the form takes it ("6.2B", "350M"), text that `parseParams` reads into the column's number of billions.
  params: columnField(column.params, () => z.string().trim().max(200)),
  family: columnField(column.family, text),
  license: columnField(column.license, text),
  revision: columnField(column.revision, text),
} satisfies Record<keyof typeof column, z.ZodType>;

const list = z
  .union([z.array(z.string().trim().min(1).max(300)).max(100), z.string().max(5000)])
  .optional()
  .transform((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v))
  .transform((v) => (v && v.length > 0 ? v : undefined));

export const submissionFields = z
  .object({
    checkpoint: z.string().trim().min(1, 'give the checkpoint folder as a path under the model roots').max(1000).optional(),
    ...modelFields,
    boards: list,
    tasks: list,
    limit: z.coerce.number().int().positive().max(1_000_000).optional(),
    // Which published graph of the folder the workers load, as `sciboard submit --dtype` (default fp32).
    dtype: z.enum(DTYPES, { message: `must be one of ${DTYPES.join(', ')}` }).optional(),
    // lm-eval's prompt options; values are checked by @sciboard/eval's rules, as `sciboard submit` checks them.
    applyChatTemplate: z.union([z.boolean(), z.string().trim().max(200)]).optional(),
    systemInstruction: z.string().max(20_000).optional(),
    fewshotAsMultiturn: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
    genKwargs: z.union([z.string().max(5000), z.record(z.string(), z.unknown())]).optional(),
    seed: z.union([z.number().int(), z.string().max(200)]).optional(),
    // The rule `sciboard submit --shard-size` applies.
    shardSize: z
      .unknown()
      .superRefine((v, ctx) => {
        const problem = v === undefined ? undefined : shardSizeProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .transform((v) => (v === undefined ? undefined : Number(v)))
      // Without it zod 4 makes the transformed key required, refusing every submission that leaves shardSize out.
      .optional(),
  })
  .strict()
  .refine((f) => !(f.boards && f.tasks), { message: 'give boards or tasks, not both', path: ['tasks'] });

export type SubmissionFields = z.infer<typeof submissionFields>;

const ON = new Set(['true', 'yes']);
const OFF = new Set(['', 'false', 'no']);

/**
 * The prompt settings of a submission: `applyChatTemplate` true (or "true"/"yes") for the checkpoint's template,
 * false, empty, "false" or "no" for plain prompts, any other text a template's name; form fields arrive as text,
 * JSON bodies may use booleans, numbers and an object.
 */
export function promptSettingsOf(fields: SubmissionFields): EvalSettings {
  const apply = fields.applyChatTemplate;
  const applyValue = apply === undefined || apply === false || OFF.has(String(apply).toLowerCase()) ? undefined : apply === true || ON.has(apply.toLowerCase()) ? true : apply;
  const multiturn = fields.fewshotAsMultiturn;
  return {
    ...(applyValue !== undefined ? { applyChatTemplate: applyValue } : {}),
    ...(fields.systemInstruction ? { systemInstruction: fields.systemInstruction } : {}),
    ...(multiturn !== undefined ? { fewshotAsMultiturn: multiturn === true || multiturn === 'true' } : {}),
    ...(fields.genKwargs !== undefined ? { genKwargs: typeof fields.genKwargs === 'string' ? parseGenKwargs(fields.genKwargs) : checkGenKwargs(fields.genKwargs) } : {}),
    ...(fields.seed !== undefined ? { seed: parseSeed(String(fields.seed)) } : {}),
  };
}

/**
 * Every check a submission of `checkpointDir` (already confined under `roots`) must pass, in the order that
 * reads nothing outside the roots: the folder's files and the graph's external weights are confined before any
 * is opened, suite files and their data files before the suite is loaded, and then each task's data is loaded
 * once from `dataDir` to see that it is there. Throws a SubmissionError (or @sciboard/eval's SettingsError)
 * naming the field at fault; nothing is written.
 */
export async function checkSubmission(
  fields: SubmissionFields,
  checkpointDir: string,
  o: { roots: string[]; dataDir: string; submittedBy: string },
): Promise<SubmissionRequest> {
  const params = fields.params === undefined ? undefined : parseParams(fields.params);
  const settings = promptSettingsOf(fields);
  confineCheckpoint(checkpointDir, o.roots);
  checkCheckpointLayout(checkpointDir, params, fields.dtype);
  const tasks = fields.tasks?.map((t) => {
    if (!isTaskSpecPath(t)) return t;
    const spec = confinePath(t, o.roots, 'tasks');
    confineSpecData(spec, o.roots);
    return spec;
  });
  checkTaskData(planSubsets({ boards: fields.boards, tasks }), o.dataDir);
  const contentHash = await checkpointContentHash(checkpointDir);
  // The documents are counted where they were found to be there, to split large tasks into ranges.
  return submissionRequest(fields, { checkpoint: checkpointDir, contentHash, params, settings, tasks, dataDir: o.dataDir, submittedBy: o.submittedBy });
}

/** The request `enqueueSubmission` takes: the checked fields with what the checks found (`tasks`: as resolved). */
export function submissionRequest(
  fields: SubmissionFields,
  found: Pick<SubmissionRequest, 'checkpoint' | 'contentHash' | 'params' | 'settings' | 'tasks' | 'dataDir' | 'submittedBy'>,
): SubmissionRequest {
  return {
    name: fields.name,
    family: fields.family,
    license: fields.license,
    revision: fields.revision,
    boards: fields.boards,
    limit: fields.limit,
    shardSize: fields.shardSize,
    ...(fields.dtype ? { dtype: fields.dtype } : {}),
    ...found,
  };
}
