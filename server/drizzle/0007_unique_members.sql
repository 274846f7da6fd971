-- A member's user_institutional_id appears once per institution, module and year (SPEC §3).
-- The ingestion checks it row by row against what is stored; this constraint holds it when
-- two uploads of the module run at once. Checked at commit: a replace inserts the new entries
-- before it deletes the ones they replace. The catalog's formats with a unique column (member,
-- module 1) are what it covers; a test compares the two.
ALTER TABLE "data_entries" ADD CONSTRAINT "data_entries_unique_member_excl" EXCLUDE USING btree (
  "institution_id" WITH =, "module_type_id" WITH =, "year" WITH =,
  ("data" ->> 'user_institutional_id') WITH =
) WHERE ("module_type_id" = 1 AND "data" ? 'user_institutional_id') DEFERRABLE INITIALLY DEFERRED;
