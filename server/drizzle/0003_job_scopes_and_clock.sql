DROP INDEX "jobs_pending_emission_recalc_uq";--> statement-breakpoint
DROP INDEX "jobs_pending_aggregation_uq";--> statement-breakpoint
ALTER TABLE "job_events" ALTER COLUMN "at" SET DEFAULT clock_timestamp();--> statement-breakpoint
ALTER TABLE "jobs" ALTER COLUMN "run_after" SET DEFAULT clock_timestamp();--> statement-breakpoint
ALTER TABLE "jobs" ALTER COLUMN "created_at" SET DEFAULT clock_timestamp();--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_running_emission_recalc_uq" ON "jobs" USING btree ("institution_id","module_type_id","data_entry_type_id","year") WHERE job_type = 'emission_recalc' AND state = 'RUNNING';--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_running_aggregation_uq" ON "jobs" USING btree ("institution_id","module_type_id","year") WHERE job_type = 'aggregation' AND state = 'RUNNING';--> statement-breakpoint
CREATE INDEX "pipelines_active_idx" ON "pipelines" USING btree ("institution_id","module_type_id","year","id") WHERE "pipelines"."status" IN ('NOT_STARTED', 'RUNNING');--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_pending_emission_recalc_uq" ON "jobs" USING btree ("institution_id","module_type_id","data_entry_type_id","year") WHERE job_type = 'emission_recalc' AND state IN ('NOT_STARTED', 'QUEUED') AND started_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_pending_aggregation_uq" ON "jobs" USING btree ("institution_id","module_type_id","year") WHERE job_type = 'aggregation' AND state IN ('NOT_STARTED', 'QUEUED') AND started_at IS NULL;