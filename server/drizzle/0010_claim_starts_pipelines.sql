-- What a claim does to the pipelines of the job it claimed: they are RUNNING now. A claim
-- changes nothing else that the derivation reads: the set of unfinished jobs (so the phase)
-- stays, no result is added, and a job starts without progress (a job given back to the queue
-- had its progress removed). So instead of deriving them again from all their jobs, this bumps
-- their versions, sets RUNNING and notifies the watchers; derivation.test.ts checks that the
-- result is what a full derivation gives.
CREATE FUNCTION start_pipelines_of_job(p_job_id int) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  ids int[];
  r record;
  n int := 0;
BEGIN
  SELECT array_agg(id) INTO ids FROM (
    SELECT id FROM pipelines
    WHERE id IN (SELECT pipeline_id FROM pipeline_jobs WHERE job_id = p_job_id)
    ORDER BY id
    FOR NO KEY UPDATE
  ) l;
  FOR r IN
    UPDATE pipelines
    SET status = 'RUNNING', version = version + 1, updated_at = clock_timestamp()
    WHERE id = ANY(ids)
    RETURNING id, version
  LOOP
    PERFORM pg_notify('carbon_sync_pipeline', r.id || ':' || r.version);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
