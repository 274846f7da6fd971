CREATE TABLE "entry_emissions" (
	"entry_id" bigint PRIMARY KEY NOT NULL,
	"institution_id" integer NOT NULL,
	"data_entry_type_id" integer NOT NULL,
	"year" integer NOT NULL,
	"kg_co2eq" numeric,
	"emission_code" text NOT NULL,
	"emission_message" text,
	"job_id" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "entry_emissions" ADD CONSTRAINT "entry_emissions_entry_id_data_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."data_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_emissions" ADD CONSTRAINT "entry_emissions_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_emissions" ADD CONSTRAINT "entry_emissions_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "entry_emissions_scope_idx" ON "entry_emissions" USING btree ("institution_id","data_entry_type_id","year");--> statement-breakpoint
-- Emissions computed before this migration move to their own table, then leave data_entries.
INSERT INTO "entry_emissions" ("entry_id", "institution_id", "data_entry_type_id", "year", "kg_co2eq", "emission_code", "emission_message", "job_id")
SELECT "id", "institution_id", "data_entry_type_id", "year", "kg_co2eq", "emission_code", "emission_message", "job_id"
FROM "data_entries" WHERE "emission_code" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "data_entries" DROP COLUMN "kg_co2eq";--> statement-breakpoint
ALTER TABLE "data_entries" DROP COLUMN "emission_code";--> statement-breakpoint
ALTER TABLE "data_entries" DROP COLUMN "emission_message";