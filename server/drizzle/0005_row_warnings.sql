DROP INDEX "job_row_errors_job_idx";--> statement-breakpoint
ALTER TABLE "job_row_errors" ADD COLUMN "severity" text DEFAULT 'error' NOT NULL;--> statement-breakpoint
CREATE INDEX "job_row_errors_job_idx" ON "job_row_errors" USING btree ("job_id","severity","row_number");