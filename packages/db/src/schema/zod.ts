/**
 * The `models` columns a submission gives, as a zod schema derived from the table with drizzle-zod, so what the
 * site's form, its API and `sciboard submit` check follows the table: a column that is `notNull` is a required
 * field, a nullable one an optional (and nullable) field, text a string and `params` a number. It is built from
 * the PostgreSQL table, the one the query layer is typed against; `zod.test.ts` checks the SQLite table gives
 * the same schema.
 */
import { createInsertSchema } from 'drizzle-zod';
import { models } from './pg.ts';

/** The columns of `models` a submitter names; the rest (size band, checkpoint, hash, submitter) are found or filled in. */
export const SUBMITTED_MODEL_COLUMNS = { name: true, family: true, params: true, revision: true, license: true } as const;

/** The submitted `models` columns as drizzle-zod derives them for an insert (see the module comment). */
export const modelFieldsSchema = createInsertSchema(models).pick(SUBMITTED_MODEL_COLUMNS);
