-- Older databases may hold live submissions that share a key (concurrent submitters raced past the check):
-- the oldest keeps the key, the others keep their rows and runs but are no longer duplicate targets.
UPDATE "submissions" SET "dedupe_key" = NULL
WHERE "dedupe_key" IS NOT NULL AND "status" <> 'failed'
  AND "id" <> (SELECT MIN("s"."id") FROM "submissions" AS "s" WHERE "s"."dedupe_key" = "submissions"."dedupe_key" AND "s"."status" <> 'failed');--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_dedupe_key_live_idx" ON "submissions" USING btree ("dedupe_key") WHERE "submissions"."status" <> 'failed';
