-- The advisory lock key of `is_current` (0009), written so that the planner can inline it. The
-- function is IMMUTABLE, but `text || integer` is only STABLE (it calls the integer's output
-- function through anytextcat), and PostgreSQL does not inline a function whose body is more
-- volatile than it says: every finish then ran it as a separate SQL function call, planned
-- each time, about a tenth of the finish's time. With explicit `::text` casts (immutable) the
-- body is a plain expression and inlines. The key text, so the lock, is the same as before.
CREATE OR REPLACE FUNCTION current_key_lock(institution_id int, module_type_id int, data_entry_type_id int,
                                            year int, job_type text, target_type text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT hashtext('current:' || institution_id::text || ':' || module_type_id::text || ':' ||
                  coalesce(data_entry_type_id, 0)::text || ':' || year::text || ':' ||
                  job_type || ':' || target_type)
$$;
