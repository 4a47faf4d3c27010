ALTER TABLE `submission_shards` ADD `doc_start` integer;--> statement-breakpoint
ALTER TABLE `submission_shards` ADD `doc_end` integer;--> statement-breakpoint
ALTER TABLE `submission_shards` ADD `turn` integer DEFAULT 0 NOT NULL;