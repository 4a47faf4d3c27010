ALTER TABLE "submission_shards" ADD COLUMN "doc_start" integer;--> statement-breakpoint
ALTER TABLE "submission_shards" ADD COLUMN "doc_end" integer;--> statement-breakpoint
ALTER TABLE "submission_shards" ADD COLUMN "turn" integer DEFAULT 0 NOT NULL;