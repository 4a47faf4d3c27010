import { getTableColumns } from 'drizzle-orm';
import { createInsertSchema } from 'drizzle-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as pg from './pg.ts';
import * as sqlite from './sqlite.ts';
import { modelFieldsSchema, SUBMITTED_MODEL_COLUMNS } from './zod.ts';

/** What a schema accepts, as JSON Schema (types, nullability, bounds and which keys are required). */
const accepted = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown>; required?: string[] };

describe('the submitted model fields', () => {
  it('are the picked columns of the models table, required where the column is notNull and without a default', () => {
    const columns = getTableColumns(pg.models);
    const picked = Object.keys(SUBMITTED_MODEL_COLUMNS);
    expect(Object.keys(modelFieldsSchema.shape).sort()).toEqual([...picked].sort());
    const required = picked.filter((k) => columns[k as keyof typeof columns].notNull && !columns[k as keyof typeof columns].hasDefault);
    expect(required).toEqual(['name']);
    expect(accepted(modelFieldsSchema).required).toEqual(required);
    // Each field takes its column's type: text a string, params (double precision) a number, null where the column allows it.
    expect(modelFieldsSchema.safeParse({ name: 'm' }).success).toBe(true);
    expect(modelFieldsSchema.safeParse({ name: 'm', family: null, params: null }).success).toBe(true);
    expect(modelFieldsSchema.safeParse({ name: 'm', params: 7.6 }).success).toBe(true);
    expect(modelFieldsSchema.safeParse({ name: 'm', params: '7B' }).success).toBe(false);
    expect(modelFieldsSchema.safeParse({ name: null }).success).toBe(false);
    expect(modelFieldsSchema.safeParse({}).success).toBe(false);
  });

  it('are the same from the SQLite table, so the two schema files cannot drift apart on them', () => {
    expect(accepted(createInsertSchema(sqlite.models).pick(SUBMITTED_MODEL_COLUMNS))).toEqual(accepted(modelFieldsSchema));
  });

  it('come from tables whose models columns agree across the dialects on names, required and nullable columns', () => {
    const [fromPg, fromSqlite] = [accepted(createInsertSchema(pg.models)), accepted(createInsertSchema(sqlite.models))];
    expect(Object.keys(fromSqlite.properties)).toEqual(Object.keys(fromPg.properties));
    expect(fromSqlite.required).toEqual(fromPg.required);
    const nullable = (t: Record<string, { notNull: boolean }>) => Object.keys(t).filter((k) => !t[k]!.notNull);
    expect(nullable(getTableColumns(sqlite.models))).toEqual(nullable(getTableColumns(pg.models)));
  });
});
