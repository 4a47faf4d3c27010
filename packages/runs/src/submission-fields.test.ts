import { modelFieldsSchema } from '@sciboard/db';
import { createInsertSchema } from 'drizzle-zod';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { columnField, promptSettingsOf, submissionFields, type SubmissionFields } from './submission-fields.ts';

const modelColumns = Object.keys(modelFieldsSchema.shape);
const optional = (schema: z.ZodType) => schema.safeParse(undefined).success;

describe('the submission fields that are models columns', () => {
  it('are the columns the database schema picks, each optional exactly where its column is nullable', () => {
    expect(modelColumns.sort()).toEqual(['family', 'license', 'name', 'params', 'revision']);
    const shape = submissionFields.shape as Record<string, z.ZodType>;
    for (const key of modelColumns) {
      expect(shape[key], key).toBeDefined();
      expect(optional(shape[key]!), key).toBe(optional(modelFieldsSchema.shape[key as keyof typeof modelFieldsSchema.shape]));
    }
    // name is notNull in the table, so a submission cannot leave it out.
    expect(optional(modelFieldsSchema.shape.name)).toBe(false);
    expect(submissionFields.safeParse({}).error?.issues.map((i) => i.path.join('.'))).toEqual(['name']);
  });

  it('keep the form\'s rules: trimmed, at most 200 characters, empty meaning not given, params as text', () => {
    expect(submissionFields.parse({ name: '  m  ', family: ' ', params: ' 7B ', license: '', revision: 'main' })).toEqual({
      name: 'm',
      family: undefined,
      params: '7B',
      license: undefined,
      revision: 'main',
    });
    expect(submissionFields.safeParse({ name: '   ' }).error?.issues[0]).toMatchObject({ path: ['name'], message: 'must not be empty' });
    expect(submissionFields.safeParse({ name: 'x'.repeat(201) }).success).toBe(false);
    expect(submissionFields.safeParse({ name: 'm', family: 'x'.repeat(201) }).success).toBe(false);
    // The column is a number, the form field text; a form sends no null.
    expect(submissionFields.safeParse({ name: 'm', params: 7 }).success).toBe(false);
    expect(submissionFields.safeParse({ name: 'm', family: null }).success).toBe(false);
    expectTypeOf<SubmissionFields['name']>().toEqualTypeOf<string>();
    expectTypeOf<SubmissionFields['params']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SubmissionFields['family']>().toEqualTypeOf<string | undefined>();
  });

  it('follow the table: a nullable column gives an optional field and a notNull one a required field', () => {
    const table = pgTable('t', { required: text('required').notNull(), nullable: text('nullable') });
    const columns = createInsertSchema(table).shape;
    const rules = (type: z.ZodString) => type.trim().max(3);
    const fields = z.object({ required: columnField(columns.required, rules), nullable: columnField(columns.nullable, rules) });
    expect(fields.parse({ required: ' abc ' })).toEqual({ required: 'abc', nullable: undefined });
    expect(fields.parse({ required: 'a', nullable: '  ' })).toEqual({ required: 'a', nullable: undefined });
    expect(fields.safeParse({ nullable: 'a' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['required']);
    expect(fields.safeParse({ required: 'a', nullable: 'abcd' }).success).toBe(false);
  });
});

describe('the chat template setting of a submission', () => {
  const apply = (applyChatTemplate: unknown) => promptSettingsOf(submissionFields.parse({ name: 'm', applyChatTemplate })).applyChatTemplate;

  it('reads yes and true as the checkpoint\'s template, no, false and empty as plain prompts, other text as a name', () => {
    for (const on of [true, 'true', 'yes', 'Yes', ' TRUE ']) expect(apply(on)).toBe(true);
    for (const off of [false, 'false', 'no', 'No', '', '  ', undefined]) expect(apply(off)).toBeUndefined();
    expect(apply('chatml')).toBe('chatml');
    expect(apply(' chatml ')).toBe('chatml');
  });
});
