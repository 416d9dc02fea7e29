-- The counting trigger on UPDATE joins its transition tables (old_rows, new_rows) by id. PL/pgSQL plans
-- that join once per session, when the trigger first fires, with the transition tables' sizes of that
-- moment, and keeps the plan: a nested loop chosen for a one-row update then runs quadratically when a
-- later statement in the same session changes thousands of rows (a worker flushing a large batch after a
-- stall, cancelling or retrying a large build): 5,000 rows took seconds, 10,000 tens of seconds. Without
-- nested loops the join is a hash or merge join whatever the sizes, linear in the rows changed.
ALTER FUNCTION tasks_count_update() SET enable_nestloop = off;

-- The claim takes the first rows of tasks_claimable, whose order is the claim's order. The planner may
-- instead fetch every available row and sort them when it estimates few match: right after a bulk load
-- (no statistics yet), and whenever the table holds one build (`build_id <> ALL (paused builds)` is then
-- estimated to match nothing). That sort runs on every claim, 40 ms for 100,000 waiting tasks, growing
-- with the queue. Without sorts the index order is the only plan.
ALTER FUNCTION claim_tasks(text, integer, bigint, text[], text[], bigint[]) SET enable_sort = off;
