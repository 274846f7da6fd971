-- At most one current job per key (SPEC §5.3), now checked at commit: the finishing statement
-- sets the new current job and clears the old one together, in an order it cannot choose.
DROP INDEX "jobs_current_uq";--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_current_excl" EXCLUDE USING btree (
  "institution_id" WITH =, "module_type_id" WITH =, (coalesce("data_entry_type_id", 0)) WITH =,
  "year" WITH =, "job_type" WITH =, "target_type" WITH =
) WHERE ("is_current") DEFERRABLE INITIALLY DEFERRED;
