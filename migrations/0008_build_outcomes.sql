-- Honest build outcomes and the systemic-failure breaker.
-- Runs with search_path set to Quarry's schema; names are unqualified.

-- A build that drained ends `completed` (every task completed), `completed_with_errors` (some died, within
-- its max_dead_fraction) or `failed` (a stage produced nothing, or more died than max_dead_fraction allows).
ALTER TABLE builds DROP CONSTRAINT builds_state_check;
ALTER TABLE builds ADD CONSTRAINT builds_state_check
    CHECK (state IN ('active', 'paused', 'completed', 'completed_with_errors', 'cancelled', 'failed'));
-- Dead ÷ (completed + dead) above which a drained build is `failed`; NULL means the default (0.2).
ALTER TABLE builds ADD COLUMN max_dead_fraction double precision
    CHECK (max_dead_fraction IS NULL OR (max_dead_fraction >= 0 AND max_dead_fraction <= 1));

-- The current run of task deaths with one failure signature (endpoint, status, error type, message class)
-- per build, across every worker. `completed_seen` is the build's completed-task count when the run began
-- or last grew: a death that finds a higher count starts a new run, so a run means "no task of the build
-- completed in between". Written only when a task dies (never on the hot path of completions).
CREATE TABLE failure_streaks (
    build_id       bigint PRIMARY KEY REFERENCES builds (id) ON DELETE CASCADE,
    signature      text NOT NULL,
    summary        text NOT NULL,
    tasks          integer NOT NULL,
    completed_seen bigint NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('GRANT ALL ON %I.failure_streaks TO quarry_owner', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.failure_streaks TO quarry_worker', s);
END $$;
