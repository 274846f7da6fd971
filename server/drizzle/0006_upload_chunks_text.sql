ALTER TABLE "upload_chunks" ALTER COLUMN "data" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "upload_chunks" ADD COLUMN "text" text;--> statement-breakpoint
ALTER TABLE "upload_chunks" ADD CONSTRAINT "upload_chunks_one_form" CHECK (num_nonnulls("upload_chunks"."data", "upload_chunks"."text") = 1);