CREATE TABLE `run_scoring` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `submissions` DROP COLUMN `scoring_lease_expires_at`;