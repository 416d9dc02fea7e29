-- Least privilege for workers, and records identified by their position in the input.
--
-- Workers no longer write tables directly. Every change a worker makes goes through a SECURITY DEFINER
-- function owned by quarry_owner that does one narrow thing:
--   claim_tasks, heartbeat_tasks, complete_tasks, settle_tasks  move leased tasks the caller's worker holds
--                                                                (lease owner + token), nothing else;
--   rescue_expired_tasks, mark_workers_gone                      the rescuer's two fixed statements;
--   register_worker, set_worker_state                            the caller's own registry row;
--   pause_build                                                  active -> paused with a reason, nothing else;
--   fold_counts                                                  the count ledger, folded (never written freely).
-- A worker id belongs to the database login that registered it (workers.db_user): a login can act only
-- for its own workers. Members of quarry_owner (and superusers) may act for any worker (tests, tools).
-- quarry_worker keeps SELECT on what it reads; it loses UPDATE on tasks, INSERT on results and attempts,
-- INSERT/UPDATE on workers and every write on the ledger tables.
-- The hot-path functions plan each statement for the values given (plan_cache_mode = force_custom_plan), as
-- the client's one-shot statements did: a generic plan cannot fold "p_kinds IS NULL OR kind = ANY (p_kinds)".
-- Runs with search_path set to Quarry's schema; names here are unqualified.

ALTER TABLE workers ADD COLUMN db_user text NOT NULL DEFAULT session_user;
-- The endpoints named in the worker's endpoints file (NULL: none), so status can say what no worker serves.
ALTER TABLE workers ADD COLUMN endpoints text[];

-- Whether this session may act for worker p_worker.
CREATE FUNCTION worker_acts_for(p_worker text) RETURNS boolean LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT pg_has_role(session_user, 'quarry_owner', 'USAGE')
        OR EXISTS (SELECT 1 FROM workers w WHERE w.id = p_worker AND w.db_user = session_user::text)
$$;

CREATE FUNCTION require_worker(p_worker text) RETURNS void LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT worker_acts_for(p_worker) THEN
        RAISE EXCEPTION 'login % may not act for worker %', session_user, p_worker
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'a worker id belongs to the database login that registered it';
    END IF;
END $$;

CREATE FUNCTION register_worker(p_id text, p_host text, p_pid integer, p_version text, p_concurrency integer, p_kinds text[],
                                p_endpoints text[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO workers AS w (id, host, pid, version, concurrency, kinds, endpoints, db_user)
    VALUES (p_id, p_host, p_pid, p_version, p_concurrency, p_kinds, p_endpoints, session_user)
    ON CONFLICT (id) DO UPDATE SET state = 'alive', heartbeat_at = now(), stopped_at = NULL
    WHERE w.db_user = session_user::text OR pg_has_role(session_user, 'quarry_owner', 'USAGE');
    IF NOT FOUND THEN
        RAISE EXCEPTION 'worker id % is registered by another login', p_id USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

CREATE FUNCTION set_worker_state(p_id text, p_state text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM require_worker(p_id);
    UPDATE workers
    SET state = p_state, in_flight = CASE WHEN p_state = 'stopped' THEN 0 ELSE in_flight END,
        stopped_at = CASE WHEN p_state IN ('stopped', 'gone') THEN now() END
    WHERE id = p_id;
END $$;

-- Leases are bounded (0.1 s to a day) whatever the caller asks, so no caller can pin tasks for ever.
CREATE FUNCTION claim_tasks(p_worker text, p_limit integer, p_lease_ms bigint, p_kinds text[], p_families text[], p_skip_builds bigint[])
RETURNS TABLE (id bigint, build_id bigint, kind text, family text, key text, payload text, attempt integer,
               max_attempts integer, lease_token bigint, parent_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_custom_plan SET search_path FROM CURRENT AS $$
#variable_conflict use_column
BEGIN
    PERFORM require_worker(p_worker);
    RETURN QUERY
    WITH candidates AS MATERIALIZED (
        SELECT t.id FROM tasks t
        WHERE t.state = 'available' AND t.run_at <= now()
          AND t.build_id <> ALL (ARRAY(SELECT b.id FROM builds b WHERE b.state = 'paused'))
          AND (p_skip_builds IS NULL OR t.build_id <> ALL (p_skip_builds))
          AND (p_kinds IS NULL OR t.kind = ANY (p_kinds))
          AND (p_families IS NULL OR t.family = ANY (p_families))
        ORDER BY t.priority, t.run_at, t.id
        LIMIT least(greatest(p_limit, 0), 10000)
        FOR UPDATE SKIP LOCKED
    )
    UPDATE tasks t
    SET state = 'running', attempt = t.attempt + 1, lease_token = t.lease_token + 1,
        lease_owner = p_worker, lease_until = now() + least(greatest(p_lease_ms, 100), 86400000) * interval '1 millisecond',
        started_at = now()
    FROM candidates c WHERE t.id = c.id
    RETURNING t.id, t.build_id, t.kind, t.family, t.key, t.payload::text, t.attempt, t.max_attempts, t.lease_token, t.parent_id;
END $$;

-- Renews the leases p_worker holds (owner + token), records its heartbeat, returns the ids still held.
CREATE FUNCTION heartbeat_tasks(p_worker text, p_ids bigint[], p_tokens bigint[], p_lease_ms bigint)
RETURNS SETOF bigint LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_custom_plan SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM require_worker(p_worker);
    UPDATE workers SET heartbeat_at = now(), in_flight = coalesce(cardinality(p_ids), 0),
           state = CASE WHEN state = 'gone' THEN 'alive' ELSE state END
    WHERE id = p_worker;
    RETURN QUERY
    UPDATE tasks t
    SET lease_until = now() + least(greatest(p_lease_ms, 100), 86400000) * interval '1 millisecond'
    FROM unnest(p_ids, p_tokens) AS h(id, token)
    WHERE t.id = h.id AND t.lease_token = h.token AND t.lease_owner = p_worker AND t.state = 'running'
    RETURNING t.id;
END $$;

-- Completes tasks p_worker holds and stores their results; returns the ids completed.
CREATE FUNCTION complete_tasks(p_worker text, p_ids bigint[], p_tokens bigint[], p_outputs text[], p_versions text[])
RETURNS SETOF bigint LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_custom_plan SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM require_worker(p_worker);
    RETURN QUERY
    WITH input AS (
        SELECT * FROM unnest(p_ids, p_tokens, p_outputs, p_versions) AS i(id, token, output, prompt_version)
    ), done AS (
        UPDATE tasks t
        SET state = 'completed', finished_at = now(), lease_owner = NULL, lease_until = NULL
        FROM input i
        WHERE t.id = i.id AND t.lease_token = i.token AND t.lease_owner = p_worker AND t.state = 'running'
        RETURNING t.id, t.build_id, t.kind
    ), stored AS (
        INSERT INTO results (task_id, build_id, kind, output, prompt_version, worker)
        SELECT d.id, d.build_id, d.kind, i.output::jsonb, i.prompt_version, p_worker
        FROM done d JOIN input i ON i.id = d.id
    )
    SELECT done.id FROM done;
END $$;

-- Fails, kills, snoozes or releases tasks p_worker holds; returns each settled id with its outcome
-- ('dead', 'released' or 'available'). A snooze past p_max_snoozes counts as a failed attempt; snoozes are
-- counted on the task and only the first and every p_snooze_log_every-th leaves an attempt row.
CREATE FUNCTION settle_tasks(p_worker text, p_ids bigint[], p_tokens bigint[], p_actions text[], p_classes text[],
                             p_messages text[], p_delays bigint[], p_max_snoozes integer, p_snooze_log_every integer)
RETURNS TABLE (id bigint, outcome text) LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_custom_plan SET search_path FROM CURRENT AS $$
#variable_conflict use_column
BEGIN
    PERFORM require_worker(p_worker);
    IF EXISTS (SELECT 1 FROM unnest(p_actions) a WHERE a IS NULL OR a NOT IN ('fail', 'dead', 'snooze', 'release')) THEN
        RAISE EXCEPTION 'unknown settle action' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH input AS (
        SELECT i.*, CASE WHEN i.action = 'snooze' AND t.snoozes >= p_max_snoozes THEN 'fail' ELSE i.action END AS effective
        FROM unnest(p_ids, p_tokens, p_actions, p_classes, p_messages, p_delays)
             AS i(id, token, action, error_class, message, delay_ms)
        JOIN tasks t ON t.id = i.id
    ), changed AS (
        UPDATE tasks t
        SET state = CASE
                WHEN i.effective = 'dead' OR (i.effective = 'fail' AND t.attempt >= t.max_attempts) THEN 'dead'
                ELSE 'available' END,
            run_at = now() + least(greatest(i.delay_ms, 0), 604800000) * interval '1 millisecond',
            attempt = CASE WHEN i.effective IN ('snooze', 'release') THEN t.attempt - 1 ELSE t.attempt END,
            snoozes = t.snoozes + CASE WHEN i.effective = 'snooze' THEN 1 ELSE 0 END,
            last_error = coalesce(i.message, t.last_error),
            last_error_class = coalesce(CASE WHEN i.action = 'snooze' AND i.effective = 'fail' THEN 'snooze_limit' END, i.error_class, t.last_error_class),
            finished_at = CASE WHEN i.effective = 'dead' OR (i.effective = 'fail' AND t.attempt >= t.max_attempts) THEN now() END,
            lease_owner = NULL, lease_until = NULL
        FROM input i
        WHERE t.id = i.id AND t.lease_token = i.token AND t.lease_owner = p_worker AND t.state = 'running'
        RETURNING t.id, t.build_id, t.kind, t.attempt, t.state, t.snoozes, i.effective, i.error_class, i.message
    ), logged AS (
        INSERT INTO task_attempts (task_id, attempt, build_id, kind, worker, error_class, message)
        SELECT c.id, CASE WHEN c.effective = 'snooze' THEN c.attempt + 1 ELSE c.attempt END, c.build_id, c.kind, p_worker, c.error_class,
               CASE WHEN c.effective = 'snooze' AND c.snoozes > 1 THEN c.message || ' (snooze ' || c.snoozes || ')' ELSE c.message END
        FROM changed c
        WHERE c.effective <> 'release'
          AND (c.effective <> 'snooze' OR c.snoozes = 1 OR c.snoozes % greatest(p_snooze_log_every, 1) = 0)
    )
    SELECT c.id, CASE WHEN c.effective = 'release' THEN 'released' ELSE c.state END FROM changed c;
END $$;

-- The rescuer: tasks whose lease expired go back to available (attempt consumed) or to dead.
CREATE FUNCTION rescue_expired_tasks(p_batch integer) RETURNS TABLE (requeued bigint, dead bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH expired AS (
        SELECT t.id, t.lease_owner FROM tasks t
        WHERE t.state = 'running' AND t.lease_until < now()
        ORDER BY t.lease_until LIMIT least(greatest(p_batch, 0), 50000)
        FOR UPDATE SKIP LOCKED
    ), changed AS (
        UPDATE tasks t
        SET state = CASE WHEN t.attempt >= t.max_attempts THEN 'dead' ELSE 'available' END,
            run_at = now(), lease_owner = NULL, lease_until = NULL,
            last_error_class = 'lease_expired',
            last_error = 'lease expired: worker ' || coalesce(e.lease_owner, '?') || ' stopped renewing it',
            finished_at = CASE WHEN t.attempt >= t.max_attempts THEN now() END
        FROM expired e WHERE t.id = e.id
        RETURNING t.id, t.build_id, t.kind, t.attempt, t.state, t.last_error, e.lease_owner
    ), logged AS (
        INSERT INTO task_attempts (task_id, attempt, build_id, kind, worker, error_class, message)
        SELECT c.id, c.attempt, c.build_id, c.kind, c.lease_owner, 'lease_expired', c.last_error FROM changed c
    )
    SELECT count(*) FILTER (WHERE c.state = 'available'), count(*) FILTER (WHERE c.state = 'dead') FROM changed c;
END $$;

-- Workers silent for longer than p_silence_ms (at least a second) are marked gone.
CREATE FUNCTION mark_workers_gone(p_silence_ms bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    n bigint;
BEGIN
    UPDATE workers SET state = 'gone', stopped_at = now()
    WHERE state IN ('alive', 'stopping')
      AND heartbeat_at < now() - greatest(p_silence_ms, 1000) * interval '1 millisecond';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- The only change a worker may make to a build: pause an active one, with the reason.
CREATE FUNCTION pause_build(p_build bigint, p_reason text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF p_reason IS NULL OR btrim(p_reason) = '' THEN
        RAISE EXCEPTION 'a build is paused with a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE builds SET state = 'paused', state_reason = left(p_reason, 2000), updated_at = now()
    WHERE id = p_build AND state = 'active';
    RETURN FOUND;
END $$;

ALTER FUNCTION fold_counts() SECURITY DEFINER;

-- Records and rejects: identified by their position in the input (the 1-based ordinal of the record or
-- element, rejects included), not by line: a minified JSON array has every element on line 1.
ALTER TABLE records ADD COLUMN position integer;
UPDATE records SET position = line;
ALTER TABLE records ALTER COLUMN position SET NOT NULL;
ALTER TABLE records DROP CONSTRAINT records_pkey, ADD PRIMARY KEY (build_id, position);
ALTER TABLE rejects ADD COLUMN position integer;
UPDATE rejects SET position = line;
ALTER TABLE rejects ALTER COLUMN position SET NOT NULL;
ALTER TABLE rejects DROP CONSTRAINT rejects_pkey, ADD PRIMARY KEY (build_id, position);

-- Failed attempts in the last hour per build, kind and error class (`quarry status BUILD`).
CREATE VIEW recent_errors_by_build AS
SELECT build_id, kind, error_class, count(*)::bigint AS attempts, max(at) AS last_seen,
       (array_agg(message ORDER BY at DESC))[1] AS last_message
FROM task_attempts
WHERE at > now() - interval '1 hour'
GROUP BY build_id, kind, error_class
ORDER BY attempts DESC;

-- Work no live worker can do: waiting tasks of a kind no live worker claims, and endpoints a build's
-- spec names that no live worker's endpoints file has. Such tasks wait (they are not failed) until a
-- worker that can serve them starts.
CREATE VIEW unserved_work AS
WITH live AS (
    SELECT kinds, endpoints FROM workers
    WHERE state = 'alive' AND heartbeat_at > now() - interval '2 minutes'
), waiting AS (
    SELECT d.build_id, d.kind, sum(d.tasks)::bigint AS tasks
    FROM queue_depth d JOIN builds b ON b.id = d.build_id
    WHERE d.state = 'available' AND b.state = 'active'
    GROUP BY d.build_id, d.kind
)
SELECT w.build_id, 'kind'::text AS missing, w.kind AS name, w.tasks AS waiting_tasks
FROM waiting w
WHERE NOT EXISTS (SELECT 1 FROM live l WHERE l.kinds IS NULL OR w.kind = ANY (l.kinds))
UNION ALL
SELECT b.id, 'endpoint', e.name, (SELECT sum(w.tasks) FROM waiting w WHERE w.build_id = b.id)::bigint
FROM builds b
CROSS JOIN LATERAL (SELECT DISTINCT value AS name FROM jsonb_each_text(
    CASE WHEN jsonb_typeof(b.spec -> 'endpoints') = 'object' THEN b.spec -> 'endpoints' ELSE '{}' END)) e
WHERE b.state = 'active' AND EXISTS (SELECT 1 FROM waiting w WHERE w.build_id = b.id)
  AND NOT EXISTS (SELECT 1 FROM live l WHERE e.name = ANY (l.endpoints));

DO $$
DECLARE
    s text := current_schema();
    f regprocedure;
    definer regprocedure[] := ARRAY[
        'register_worker(text, text, integer, text, integer, text[], text[])',
        'set_worker_state(text, text)',
        'claim_tasks(text, integer, bigint, text[], text[], bigint[])',
        'heartbeat_tasks(text, bigint[], bigint[], bigint)',
        'complete_tasks(text, bigint[], bigint[], text[], text[])',
        'settle_tasks(text, bigint[], bigint[], text[], text[], text[], bigint[], integer, integer)',
        'rescue_expired_tasks(integer)',
        'mark_workers_gone(bigint)',
        'pause_build(bigint, text)',
        'fold_counts()']::regprocedure[];
BEGIN
    FOREACH f IN ARRAY definer || ARRAY['worker_acts_for(text)', 'require_worker(text)']::regprocedure[] LOOP
        -- A SECURITY DEFINER function must not resolve names through a schema others can write.
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, s);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO quarry_owner, quarry_worker', f);
        -- Owned by quarry_owner (which may write every table) when the migrating login may hand it over.
        IF pg_has_role(current_user, 'quarry_owner', 'MEMBER') THEN
            EXECUTE format('ALTER FUNCTION %s OWNER TO quarry_owner', f);
        END IF;
    END LOOP;

    EXECUTE format('REVOKE UPDATE ON %I.tasks FROM quarry_worker', s);
    EXECUTE format('REVOKE INSERT ON %I.results FROM quarry_worker', s);
    EXECUTE format('REVOKE INSERT ON %I.task_attempts FROM quarry_worker', s);
    EXECUTE format('REVOKE INSERT, UPDATE ON %I.workers FROM quarry_worker', s);
    -- Reading the ledger stays allowed (the failure-streak breaker reads completed counts).
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I.task_count_deltas, %I.task_counts, %I.completions_per_minute FROM quarry_worker', s, s, s);

    EXECUTE format('GRANT ALL ON %I.recent_errors_by_build, %I.unserved_work TO quarry_owner', s, s);
    EXECUTE format('GRANT SELECT ON %I.recent_errors_by_build, %I.unserved_work TO quarry_monitor', s, s);
END $$;
