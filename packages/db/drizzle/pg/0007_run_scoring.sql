CREATE TABLE "run_scoring" (
	"run_id" integer PRIMARY KEY NOT NULL,
	"expires_at" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "run_scoring" ADD CONSTRAINT "run_scoring_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" DROP COLUMN "scoring_lease_expires_at";