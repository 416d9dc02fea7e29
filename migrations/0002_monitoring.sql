-- Monitoring views: plain SQL for operators (`SELECT * FROM quarry.queue_depth`). Each reads small
-- structures (the count ledger, partial indexes, the worker registry), never a scan of tasks, so they
-- stay fast on tables of tens of millions of rows.

-- Tasks by build, family, kind and state.
CREATE VIEW queue_depth AS
SELECT build_id, family, kind, state, sum(n)::bigint AS tasks
FROM (
    SELECT build_id, family, kind, state, n FROM task_counts
    UNION ALL
    SELECT build_id, family, kind, state, delta FROM task_count_deltas
) ledger
GROUP BY build_id, family, kind, state
HAVING sum(n) <> 0;

-- Per build: one row with a column per state.
CREATE VIEW build_progress AS
SELECT b.id AS build_id, b.name, b.recipe, b.state AS build_state, b.state_reason,
       coalesce(sum(d.tasks) FILTER (WHERE d.state = 'available'), 0)::bigint AS available,
       coalesce(sum(d.tasks) FILTER (WHERE d.state = 'running'), 0)::bigint AS running,
       coalesce(sum(d.tasks) FILTER (WHERE d.state = 'completed'), 0)::bigint AS completed,
       coalesce(sum(d.tasks) FILTER (WHERE d.state = 'dead'), 0)::bigint AS dead,
       coalesce(sum(d.tasks) FILTER (WHERE d.state = 'cancelled'), 0)::bigint AS cancelled,
       b.created_at, b.finished_at
FROM builds b
LEFT JOIN queue_depth d ON d.build_id = b.id
GROUP BY b.id;

-- Completions per minute averaged over the last 1, 5 and 15 minutes, overall and per kind.
CREATE VIEW throughput AS
SELECT kind,
       coalesce(sum(n) FILTER (WHERE minute > now() - interval '1 minute'), 0)::bigint AS per_minute_1m,
       round(coalesce(sum(n) FILTER (WHERE minute > now() - interval '5 minutes'), 0) / 5.0, 1)::double precision AS per_minute_5m,
       round(coalesce(sum(n), 0) / 15.0, 1)::double precision AS per_minute_15m
FROM completions_per_minute
WHERE minute > now() - interval '15 minutes'
GROUP BY ROLLUP (kind);

-- Workers: alive ones first, with the tasks they hold and how long since their last heartbeat.
CREATE VIEW worker_status AS
SELECT id, host, pid, version, concurrency, kinds, state, in_flight,
       started_at, heartbeat_at,
       round(extract(epoch FROM now() - heartbeat_at)::numeric, 1)::double precision AS seconds_since_heartbeat
FROM workers
WHERE state IN ('alive', 'stopping') OR stopped_at > now() - interval '1 hour'
ORDER BY state = 'alive' DESC, started_at;

-- Age of the oldest task that could run now but has not started (one index probe per priority).
CREATE VIEW oldest_waiting AS
SELECT min(w.run_at) AS oldest_run_at,
       coalesce(extract(epoch FROM now() - min(w.run_at)), 0)::double precision AS age_seconds
FROM generate_series(0, 9) AS p(priority)
CROSS JOIN LATERAL (
    SELECT t.run_at FROM tasks t
    WHERE t.state = 'available' AND t.priority = p.priority AND t.run_at <= now()
    ORDER BY t.run_at LIMIT 1
) w;

-- Failed attempts in the last hour by kind and error class.
CREATE VIEW recent_errors AS
SELECT kind, error_class, count(*)::bigint AS attempts, max(at) AS last_seen,
       (array_agg(message ORDER BY at DESC))[1] AS last_message
FROM task_attempts
WHERE at > now() - interval '1 hour'
GROUP BY kind, error_class
ORDER BY attempts DESC;

-- Dead tasks with their reasons.
CREATE VIEW dead_tasks AS
SELECT id AS task_id, build_id, family, kind, key, attempt, last_error_class AS error_class,
       last_error AS reason, finished_at
FROM tasks
WHERE state = 'dead';
