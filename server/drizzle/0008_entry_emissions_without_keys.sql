-- An emission row is written in bulk by the recalculation (a million in one COPY); a foreign
-- key check per row made that write ten times slower. The writers copy the ids of the entries
-- they read under the scope's lock, and the one statement that deletes entries deletes their
-- emissions too.
ALTER TABLE "entry_emissions" DROP CONSTRAINT "entry_emissions_entry_id_data_entries_id_fk";
--> statement-breakpoint
ALTER TABLE "entry_emissions" DROP CONSTRAINT "entry_emissions_institution_id_institutions_id_fk";
--> statement-breakpoint
ALTER TABLE "entry_emissions" DROP CONSTRAINT "entry_emissions_job_id_jobs_id_fk";
