-- Removing old builds without bloat: a procedure that commits after every batch, so no single long
-- transaction pins the xmin horizon while millions of rows go, and autovacuum can reclaim space as it runs.
-- CALL prune(build_id) outside an explicit transaction; quarry prune BUILD does that.
CREATE PROCEDURE prune(target bigint, batch integer DEFAULT 10000)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    n bigint;
BEGIN
    UPDATE builds SET state = 'cancelled', state_reason = 'pruning', updated_at = now()
    WHERE id = target AND state IN ('active', 'paused');
    COMMIT;
    LOOP
        DELETE FROM results WHERE task_id IN (SELECT task_id FROM results WHERE build_id = target LIMIT batch);
        GET DIAGNOSTICS n = ROW_COUNT;
        COMMIT;
        EXIT WHEN n = 0;
    END LOOP;
    LOOP
        DELETE FROM task_attempts WHERE ctid IN (SELECT ctid FROM task_attempts WHERE build_id = target LIMIT batch);
        GET DIAGNOSTICS n = ROW_COUNT;
        COMMIT;
        EXIT WHEN n = 0;
    END LOOP;
    LOOP
        DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE build_id = target LIMIT batch);
        GET DIAGNOSTICS n = ROW_COUNT;
        COMMIT;
        EXIT WHEN n = 0;
    END LOOP;
    DELETE FROM records WHERE build_id = target;
    DELETE FROM builds WHERE id = target;
    PERFORM fold_counts();
    DELETE FROM task_counts WHERE build_id = target;
    DELETE FROM completions_per_minute WHERE build_id = target;
    COMMIT;
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON PROCEDURE %I.prune(bigint, integer) TO quarry_owner', current_schema());
END $$;
