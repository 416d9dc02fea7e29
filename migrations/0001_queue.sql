-- Quarry's queue: builds, tasks, results, attempts, workers.
-- Runs with search_path set to Quarry's schema (default "quarry"); names here are unqualified.
--
-- Keeping the hot path small:
--   * tasks_claimable is a partial index over available rows only; running, finished and cancelled rows
--     never enter it, so the claim scans a structure the size of the waiting queue, not of the table.
--   * Running rows have their own small partial index for rescue (lease expiry).
--   * Counts for monitoring come from a ledger of per-statement deltas (see task_count_deltas), not from
--     scanning tasks, so the views cost the same on 10 million rows as on 10.
--   * Old builds are removed by `quarry prune`, which deletes in batches, each its own transaction, so no
--     long transaction pins the xmin horizon; tasks has aggressive per-table autovacuum settings.

CREATE TABLE builds (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL,
    recipe        text,
    state         text NOT NULL DEFAULT 'active'
                  CHECK (state IN ('active', 'paused', 'completed', 'cancelled', 'failed')),
    state_reason  text,
    spec          jsonb NOT NULL DEFAULT '{}',
    budget_usd    double precision,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

CREATE TABLE tasks (
    id               bigserial PRIMARY KEY,
    build_id         bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    family           text NOT NULL CHECK (family IN ('generation', 'corruption', 'verification')),
    kind             text NOT NULL,
    key              text NOT NULL,
    parent_id        bigint,
    payload          jsonb NOT NULL DEFAULT '{}',
    priority         smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),
    state            text NOT NULL DEFAULT 'available'
                     CHECK (state IN ('available', 'running', 'completed', 'dead', 'cancelled')),
    run_at           timestamptz NOT NULL DEFAULT now(),
    attempt          integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    snoozes          integer NOT NULL DEFAULT 0,
    -- Fencing: every claim increments lease_token. Completion, failure, snooze and release must present
    -- the token and owner they were handed; a worker whose lease was taken over matches nothing.
    lease_token      bigint NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_until      timestamptz,
    last_error       text,
    last_error_class text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    CONSTRAINT tasks_build_key UNIQUE (build_id, key)
) WITH (fillfactor = 85, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
        autovacuum_vacuum_cost_delay = 0);

-- The claim path: available rows only, in claim order.
CREATE INDEX tasks_claimable ON tasks (priority, run_at, id) WHERE state = 'available';
-- Rescue: running rows by lease expiry.
CREATE INDEX tasks_leases ON tasks (lease_until) WHERE state = 'running';
-- Dead tasks, for the dead-task view and retry-dead.
CREATE INDEX tasks_dead ON tasks (build_id, kind) WHERE state = 'dead';
CREATE INDEX tasks_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;

-- One row per completed task: the primary key is the task id, so a task cannot have two results.
CREATE TABLE results (
    task_id        bigint PRIMARY KEY,
    build_id       bigint NOT NULL,
    kind           text NOT NULL,
    output         jsonb NOT NULL,
    prompt_version text,
    worker         text,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX results_build ON results (build_id, kind);

-- Every failed attempt, with its error class (lease_expired, timeout, http_5xx, …) and message.
CREATE TABLE task_attempts (
    task_id     bigint NOT NULL,
    attempt     integer NOT NULL,
    build_id    bigint NOT NULL,
    kind        text NOT NULL,
    worker      text,
    error_class text NOT NULL,
    message     text,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_attempts_task ON task_attempts (task_id);
CREATE INDEX task_attempts_at ON task_attempts (at);

-- The worker registry: one row per worker process.
CREATE TABLE workers (
    id           text PRIMARY KEY,
    host         text NOT NULL,
    pid          integer NOT NULL,
    version      text NOT NULL,
    concurrency  integer NOT NULL,
    kinds        text[],
    state        text NOT NULL DEFAULT 'alive' CHECK (state IN ('alive', 'stopping', 'stopped', 'gone')),
    in_flight    integer NOT NULL DEFAULT 0,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at   timestamptz
);
CREATE INDEX workers_alive ON workers (heartbeat_at) WHERE state IN ('alive', 'stopping');

-- Counting ledger. Each statement that changes tasks appends one delta row per (build, kind, state) it
-- touched (statement-level triggers over transition tables: a batch of 500 completions adds a handful of
-- rows, and appends never contend on a hot counter row). The rescuer folds deltas into task_counts.
CREATE TABLE task_counts (
    build_id bigint NOT NULL,
    family   text NOT NULL,
    kind     text NOT NULL,
    state    text NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (build_id, kind, state, family)
);
CREATE TABLE task_count_deltas (
    build_id bigint NOT NULL,
    family   text NOT NULL,
    kind     text NOT NULL,
    state    text NOT NULL,
    delta    bigint NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0);

-- Completions per minute, for throughput views without scanning results.
CREATE TABLE completions_per_minute (
    minute   timestamptz NOT NULL,
    build_id bigint NOT NULL,
    kind     text NOT NULL,
    n        bigint NOT NULL
);
CREATE INDEX completions_per_minute_minute ON completions_per_minute (minute);

CREATE FUNCTION tasks_count_insert() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO task_count_deltas (build_id, family, kind, state, delta)
    SELECT build_id, family, kind, state, count(*) FROM new_rows GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE FUNCTION tasks_count_update() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO task_count_deltas (build_id, family, kind, state, delta)
    SELECT build_id, family, kind, state, sum(d) FROM (
        SELECT o.build_id, o.family, o.kind, o.state, -1 AS d
          FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.state <> o.state
        UNION ALL
        SELECT n.build_id, n.family, n.kind, n.state, 1
          FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.state <> o.state
    ) changes GROUP BY 1, 2, 3, 4;
    INSERT INTO completions_per_minute (minute, build_id, kind, n)
    SELECT date_trunc('minute', now()), n.build_id, n.kind, count(*)
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE n.state = 'completed' AND o.state <> 'completed'
     GROUP BY 2, 3;
    RETURN NULL;
END $$;

CREATE FUNCTION tasks_count_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO task_count_deltas (build_id, family, kind, state, delta)
    SELECT build_id, family, kind, state, -count(*) FROM old_rows GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_insert();
CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_update();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_delete();

-- Folds the ledger into task_counts and rolls up completions_per_minute older than the current minute
-- (called by the rescuer; safe to call from anywhere, any number of times).
CREATE FUNCTION fold_counts() RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    folded bigint;
BEGIN
    WITH taken AS (
        DELETE FROM task_count_deltas RETURNING build_id, family, kind, state, delta
    ), summed AS (
        SELECT build_id, family, kind, state, sum(delta) AS delta, count(*) AS rows FROM taken GROUP BY 1, 2, 3, 4
    ), applied AS (
        INSERT INTO task_counts AS c (build_id, family, kind, state, n)
        SELECT build_id, family, kind, state, delta FROM summed
        ON CONFLICT (build_id, kind, state, family) DO UPDATE SET n = c.n + excluded.n
        RETURNING 1
    )
    SELECT coalesce(sum(rows), 0) INTO folded FROM summed;
    DELETE FROM completions_per_minute WHERE minute < now() - interval '1 day';
    RETURN folded;
END $$;
