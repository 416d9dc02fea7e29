-- Roles (NOLOGIN; grant them to login users):
--   quarry_owner   owns nothing by itself but may do everything in the schema (migrations, pruning);
--   quarry_worker  reads and updates what workers touch, nothing more (no DDL, no DELETE on tasks);
--   quarry_monitor reads the monitoring views only.
-- Roles are cluster-wide; creating them is skipped when they exist.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'quarry_owner') THEN CREATE ROLE quarry_owner NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'quarry_worker') THEN CREATE ROLE quarry_worker NOLOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'quarry_monitor') THEN CREATE ROLE quarry_monitor NOLOGIN; END IF;
END $$;

DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('GRANT ALL ON SCHEMA %I TO quarry_owner', s);
    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO quarry_owner', s);
    EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA %I TO quarry_owner', s);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO quarry_owner', s);

    EXECUTE format('GRANT USAGE ON SCHEMA %I TO quarry_worker', s);
    EXECUTE format('GRANT SELECT, UPDATE ON %I.tasks TO quarry_worker', s);
    EXECUTE format('GRANT SELECT ON %I.builds TO quarry_worker', s);
    EXECUTE format('GRANT SELECT, INSERT ON %I.results TO quarry_worker', s);
    EXECUTE format('GRANT INSERT ON %I.task_attempts TO quarry_worker', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.workers TO quarry_worker', s);
    -- The counting triggers run as the caller: workers append to the ledger and fold it when leading.
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON %I.task_count_deltas TO quarry_worker', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.task_counts TO quarry_worker', s);
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON %I.completions_per_minute TO quarry_worker', s);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.fold_counts() TO quarry_worker', s);

    EXECUTE format('GRANT USAGE ON SCHEMA %I TO quarry_monitor', s);
    EXECUTE format('GRANT SELECT ON %I.queue_depth, %I.build_progress, %I.throughput, %I.worker_status, '
                   '%I.oldest_waiting, %I.recent_errors, %I.dead_tasks TO quarry_monitor', s, s, s, s, s, s, s);
END $$;
