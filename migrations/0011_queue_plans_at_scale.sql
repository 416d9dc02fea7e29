-- Two plan faults that appear once autovacuum has analysed a large tasks table while a build runs
-- (measured on 1,500,000 no-op tasks: the worked rate fell from ~30,000 to ~9,000 tasks/s at the first
-- autoanalyze and stayed there).

-- Completing, settling and renewing leases look each task up by id. Statistics taken mid-build say almost
-- no row is running, so the planner preferred to read the whole lease index, whose predicate
-- `state = 'running'` their WHERE clauses imply, and filter it: every task passes through that index, so
-- until the next vacuum it holds a dead entry per task worked, and each complete_tasks read all of them
-- (30 ms became 80 ms; a heartbeat 150 ms). The lease index now covers rows whose lease is set. Every
-- statement that ends a lease clears lease_until (complete, settle, rescue, cancel), so it holds the same
-- rows; the rescuer's `lease_until < now()` implies its predicate, the by-id statements do not.
-- Building it reads the whole table once, inside this migration's transaction: writes to tasks wait for it
-- (seconds on ten million rows), so migrate between builds or expect workers to pause meanwhile.
DROP INDEX tasks_leases;
CREATE INDEX tasks_leases ON tasks (lease_until) WHERE lease_until IS NOT NULL;

-- These functions are planned on every call (plan_cache_mode = force_custom_plan). A claim over a large
-- queue is estimated above jit_above_cost although it reads a few hundred index entries, so each call
-- compiled its expressions with LLVM first (22 functions per claim in the logged plans). The queue's
-- statements never run long enough for JIT to repay its compile time.
ALTER FUNCTION claim_tasks(text, integer, bigint, text[], text[], bigint[]) SET jit = off;
ALTER FUNCTION complete_tasks(text, bigint[], bigint[], text[], text[]) SET jit = off;
ALTER FUNCTION heartbeat_tasks(text, bigint[], bigint[], bigint) SET jit = off;
ALTER FUNCTION settle_tasks(text, bigint[], bigint[], text[], text[], text[], bigint[], integer, integer) SET jit = off;
ALTER FUNCTION rescue_expired_tasks(integer) SET jit = off;
