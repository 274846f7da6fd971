-- The pipeline's derived state, the hand-over of `is_current` and the finish of a job, as
-- functions of the database (docs/architecture.md, "Where the transitions run"). Each
-- transition of the engine is then one statement, one round trip: the state a pipeline is in is
-- computed where its jobs are, and a finishing job no longer reads its pipelines into the
-- worker to write them back.

-- The phase of a job type (1 data, 2 emissions, 3 aggregation) and its label; the same table
-- as jobPhase and phaseLabels in shared/src/jobs.ts (server/test/engine/derivation.test.ts
-- compares them).
CREATE FUNCTION job_phase(job_type text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE job_type WHEN 'emission_recalc' THEN 2 WHEN 'aggregation' THEN 3 ELSE 1 END
$$;
--> statement-breakpoint
CREATE FUNCTION phase_label(phase int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE phase WHEN 1 THEN 'Inserting data' WHEN 2 THEN 'Recalculating emissions' ELSE 'Aggregating' END
$$;
--> statement-breakpoint
-- The advisory lock of a job's `is_current` key (institution, module, data-entry type, year,
-- job type, target type): whoever hands the flag over for a key holds it until commit.
CREATE FUNCTION current_key_lock(institution_id int, module_type_id int, data_entry_type_id int,
                                 year int, job_type text, target_type text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT hashtext('current:' || institution_id || ':' || module_type_id || ':' ||
                  coalesce(data_entry_type_id, 0) || ':' || year || ':' || job_type || ':' || target_type)
$$;
--> statement-breakpoint
-- Derives the status and progress of pipelines from their jobs (SPEC §5.5), writes them, bumps
-- their versions and notifies the stream watchers (`carbon_sync_pipeline`, 'id:version',
-- delivered on commit). The pipelines are those the given jobs count for (their own, and every
-- pipeline that joined them) and the given pipeline ids; they are locked in id order.
--
-- `overrides` ([{ "jobId", "state"?, "result"?, "progress"? }]) stand for changes to jobs that the
-- calling statement makes itself and that this function's queries may not see yet (a claim
-- derives in the statement that claims). A key that is absent keeps the job's own value.
--
-- The rules, for the live jobs (a job that an admin retried no longer counts):
-- - any job unfinished: RUNNING once one has started (or is neither pending nor finished),
--   NOT_STARTED before;
-- - all finished: CANCELLED if a job was cancelled or the pipeline's cancel was requested,
--   FAILED if the root job (the pipeline's own job without a parent, else its first own job,
--   else its first job) ended in ERROR, PARTIAL if any ended in WARNING or ERROR, else SUCCESS;
-- - progress: the lowest unfinished phase, with the processed and total rows of its running
--   jobs; once finished, the highest phase reached.
--
-- Each query in a function takes a snapshot of its own: the jobs are read after the lock on
-- their pipeline is held, so two transactions deriving one pipeline see each other's jobs.
CREATE FUNCTION derive_pipelines(job_ids int[], pipeline_ids int[], overrides jsonb)
RETURNS SETOF int
LANGUAGE plpgsql AS $$
DECLARE
  p record;
  d record;
  shown_phase int;
  new_version int;
BEGIN
  FOR p IN
    SELECT id, cancel_requested_at IS NOT NULL AS cancel FROM pipelines
    WHERE id = ANY(ARRAY(SELECT pipeline_id FROM pipeline_jobs WHERE job_id = ANY(job_ids)) || pipeline_ids)
    ORDER BY id
    FOR NO KEY UPDATE
  LOOP
    WITH o AS (
      SELECT (e ->> 'jobId')::int AS id, e FROM jsonb_array_elements(overrides) e
    ), js AS (
      SELECT j.id, j.pipeline_id AS owner, j.parent_job_id, j.retry_of, job_phase(j.job_type) AS phase,
             CASE WHEN o.e ? 'state' THEN o.e ->> 'state' ELSE j.state END AS state,
             CASE WHEN o.e ? 'result' THEN o.e ->> 'result' ELSE j.result END AS result,
             CASE WHEN o.e ? 'progress' THEN o.e -> 'progress' ELSE j.meta -> 'progress' END AS progress
      FROM pipeline_jobs pj
      JOIN jobs j ON j.id = pj.job_id
      LEFT JOIN o ON o.id = j.id
      WHERE pj.pipeline_id = p.id
    ), live AS (
      SELECT * FROM js WHERE NOT EXISTS (SELECT 1 FROM js r WHERE r.retry_of = js.id)
    ), counts AS (
      SELECT count(*) AS n,
             count(*) FILTER (WHERE state <> 'FINISHED') AS unfinished,
             count(*) FILTER (WHERE state IN ('NOT_STARTED', 'QUEUED')) AS pending,
             coalesce(bool_or(state IN ('RUNNING', 'FINISHED')), false) AS started,
             coalesce(bool_or(result = 'ERROR'), false) AS has_error,
             coalesce(bool_or(result = 'WARNING'), false) AS has_warning,
             coalesce(bool_or(result = 'CANCELLED'), false) AS has_cancelled,
             min(phase) FILTER (WHERE state <> 'FINISHED') AS open_phase,
             max(phase) AS last_phase
      FROM live
    )
    SELECT c.*,
           (SELECT result FROM live
            ORDER BY (owner = p.id AND parent_job_id IS NULL) DESC, (owner = p.id) DESC, id
            LIMIT 1) AS root_result,
           r.processed, r.total
    INTO d
    FROM counts c
    CROSS JOIN LATERAL (
      SELECT coalesce(sum((progress ->> 'processed')::bigint), 0) AS processed,
             sum((progress ->> 'total')::bigint) AS total
      FROM live
      WHERE state = 'RUNNING' AND live.phase = c.open_phase AND jsonb_typeof(progress) = 'object'
    ) r;

    shown_phase := CASE WHEN d.unfinished > 0 THEN d.open_phase WHEN d.n = 0 THEN 1 ELSE d.last_phase END;
    UPDATE pipelines
    SET status = CASE
          WHEN d.unfinished > 0 THEN
            CASE WHEN d.started OR d.pending < d.unfinished THEN 'RUNNING' ELSE 'NOT_STARTED' END
          WHEN p.cancel OR d.has_cancelled THEN 'CANCELLED'
          WHEN d.root_result = 'ERROR' THEN 'FAILED'
          WHEN d.has_error OR d.has_warning THEN 'PARTIAL'
          ELSE 'SUCCESS'
        END,
        progress = jsonb_build_object(
          'phase', shown_phase,
          'phasesTotal', 3,
          'phaseLabel', phase_label(shown_phase),
          'done', d.unfinished = 0,
          'hasError', d.has_error,
          'processed', CASE WHEN d.unfinished > 0 THEN d.processed ELSE 0 END,
          'total', CASE WHEN d.unfinished > 0 THEN d.total END),
        version = version + 1,
        updated_at = clock_timestamp(),
        finished_at = CASE WHEN d.unfinished = 0 THEN coalesce(finished_at, clock_timestamp()) END
    WHERE id = p.id
    RETURNING version INTO new_version;
    PERFORM pg_notify('carbon_sync_pipeline', p.id || ':' || new_version);
    RETURN NEXT p.id;
  END LOOP;
END $$;
--> statement-breakpoint
-- Clears `is_current` of the other job of a job's key (SPEC §5.3), under the key's advisory lock,
-- held until commit: two jobs of one key taking the flag at once take turns, and the statement
-- after the lock sees the other one committed. The caller then sets the flag on its job.
CREATE FUNCTION clear_current_of_key(p_job_id int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  k record;
BEGIN
  SELECT institution_id, module_type_id, data_entry_type_id, year, job_type, target_type
  INTO k FROM jobs WHERE id = p_job_id;
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(current_key_lock(k.institution_id, k.module_type_id,
    k.data_entry_type_id, k.year, k.job_type, k.target_type));
  UPDATE jobs SET is_current = false
  WHERE is_current AND id <> p_job_id
    AND institution_id = k.institution_id AND module_type_id = k.module_type_id
    AND coalesce(data_entry_type_id, 0) = coalesce(k.data_entry_type_id, 0) AND year = k.year
    AND job_type = k.job_type AND target_type = k.target_type;
END $$;
--> statement-breakpoint
-- Makes a job that just finished the current one of its key.
CREATE FUNCTION take_current(p_job_id int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM clear_current_of_key(p_job_id);
  UPDATE jobs SET is_current = true WHERE id = p_job_id AND NOT is_current;
END $$;
--> statement-breakpoint
-- The finish of a job (SPEC §5.2), the last statement of its finishing transaction: checks that
-- the pod still owns the job (locked_by, RUNNING) and locks its row, so that nothing can take it
-- before the commit; then hands `is_current` over, sets FINISHED with the result, appends the
-- event and derives the job's pipelines (and those of `child_ids`, created earlier in the
-- transaction). Returns 'finished'; 'lost' when the pod no longer owns the job, or
-- 'cancel_requested' when an admin asked to cancel it and the result is not CANCELLED: then
-- nothing was written, and the caller rolls the transaction back. `wake` notifies idle workers
-- (a follow-up of the job's scope may run now).
CREATE FUNCTION finish_job(p_job_id int, p_pod text, p_result text, p_message text, p_meta jsonb,
                           p_child_ids int[], p_wake boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  j record;
BEGIN
  SELECT cancel_requested_at IS NOT NULL AS cancel INTO j
  FROM jobs WHERE id = p_job_id AND locked_by = p_pod AND state = 'RUNNING'
  FOR NO KEY UPDATE;
  IF NOT FOUND THEN RETURN 'lost'; END IF;
  IF j.cancel AND p_result <> 'CANCELLED' THEN RETURN 'cancel_requested'; END IF;
  PERFORM clear_current_of_key(p_job_id);
  UPDATE jobs
  SET state = 'FINISHED', result = p_result, status_message = p_message, meta = meta || p_meta,
      is_current = true,
      finished_at = clock_timestamp(), version = version + 1, updated_at = clock_timestamp()
  WHERE id = p_job_id;
  INSERT INTO job_events (job_id, pipeline_id, institution_id, state, result, pod, message)
  SELECT id, pipeline_id, institution_id, 'FINISHED', p_result, p_pod, p_message
  FROM jobs WHERE id = p_job_id;
  PERFORM derive_pipelines(p_job_id || p_child_ids, '{}', '[]');
  IF p_wake THEN PERFORM pg_notify('carbon_sync_job_queued', 'scope-free'); END IF;
  RETURN 'finished';
END $$;
