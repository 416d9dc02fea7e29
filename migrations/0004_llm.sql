-- LLM endpoints: the response cache and the usage/cost ledger, with views for spending per build and the
-- projected cost of what is left. Runs with search_path set to Quarry's schema; names are unqualified.
-- API keys are never stored here: requests carry them in headers, and neither headers nor keys are cached.

-- Accepted endpoint answers by request. key = SHA-256 of (API path, canonical request JSON with sorted
-- keys — model, messages, generation parameters and output schema —, sample index), computed by the
-- client. A rerun, a retry after a crash, or an identical request reads the answer here instead of paying.
CREATE TABLE llm_cache (
    key           bytea PRIMARY KEY CHECK (octet_length(key) = 32),
    endpoint      text NOT NULL,
    model         text NOT NULL,
    path          text NOT NULL,
    response      jsonb NOT NULL,
    input_tokens  integer NOT NULL DEFAULT 0,
    output_tokens integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Usage ledger: each worker process appends one row per (build, kind, endpoint, model) per flush (about
-- once a second while it is calling), so writers never contend on a shared counter row. Sums are exact.
CREATE TABLE llm_usage (
    build_id      bigint NOT NULL,
    kind          text NOT NULL,
    endpoint      text NOT NULL,
    model         text NOT NULL,
    calls         bigint NOT NULL DEFAULT 0,   -- answered (2xx) calls, repair rounds included
    cache_hits    bigint NOT NULL DEFAULT 0,   -- answers served from llm_cache at no cost
    errors        bigint NOT NULL DEFAULT 0,   -- calls that failed (429, 5xx, timeouts, bad bodies, …)
    input_tokens  bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    cost_usd      double precision NOT NULL DEFAULT 0,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_usage_build ON llm_usage (build_id);

-- Spending per build, kind, endpoint and model.
CREATE VIEW llm_usage_summary AS
SELECT build_id, kind, endpoint, model,
       sum(calls)::bigint AS calls, sum(cache_hits)::bigint AS cache_hits, sum(errors)::bigint AS errors,
       sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
       sum(cost_usd)::double precision AS cost_usd, max(recorded_at) AS last_recorded_at
FROM llm_usage
GROUP BY build_id, kind, endpoint, model;

-- Spending per build, with its budget.
CREATE VIEW llm_usage_by_build AS
SELECT u.build_id, b.name, b.state AS build_state, b.budget_usd,
       sum(u.calls)::bigint AS calls, sum(u.cache_hits)::bigint AS cache_hits, sum(u.errors)::bigint AS errors,
       sum(u.input_tokens)::bigint AS input_tokens, sum(u.output_tokens)::bigint AS output_tokens,
       sum(u.input_tokens + u.output_tokens)::bigint AS total_tokens,
       sum(u.cost_usd)::double precision AS cost_usd,
       CASE WHEN b.budget_usd IS NULL THEN NULL ELSE b.budget_usd - sum(u.cost_usd) END::double precision AS budget_left_usd
FROM llm_usage u
LEFT JOIN builds b ON b.id = u.build_id
GROUP BY u.build_id, b.name, b.state, b.budget_usd;

-- What a build will still cost: for each kind, cost per completed task × tasks not yet finished
-- (available + running, from queue_depth). A kind with nothing completed yet is projected at the build's
-- average cost per completed LLM task.
CREATE VIEW llm_cost_projection AS
WITH per_kind AS (
    SELECT d.build_id, d.kind,
           coalesce(sum(d.tasks) FILTER (WHERE d.state = 'completed'), 0)::bigint AS completed,
           coalesce(sum(d.tasks) FILTER (WHERE d.state IN ('available', 'running')), 0)::bigint AS remaining
    FROM queue_depth d
    GROUP BY d.build_id, d.kind
), spent AS (
    SELECT build_id, kind, sum(cost_usd) AS cost_usd FROM llm_usage GROUP BY build_id, kind
), joined AS (
    SELECT k.build_id, k.kind, k.completed, k.remaining, coalesce(s.cost_usd, 0) AS cost_usd
    FROM per_kind k LEFT JOIN spent s ON s.build_id = k.build_id AND s.kind = k.kind
), build_average AS (
    SELECT build_id, sum(cost_usd) / nullif(sum(completed) FILTER (WHERE cost_usd > 0), 0) AS cost_per_task
    FROM joined GROUP BY build_id
)
SELECT j.build_id,
       sum(j.cost_usd)::double precision AS spent_usd,
       sum(j.completed)::bigint AS completed_tasks,
       sum(j.remaining)::bigint AS remaining_tasks,
       (sum(j.cost_usd) / nullif(sum(j.completed), 0))::double precision AS cost_per_completed_task,
       sum(CASE WHEN j.completed > 0 THEN j.cost_usd / j.completed * j.remaining
                ELSE coalesce(a.cost_per_task, 0) * j.remaining END)::double precision AS projected_remaining_usd,
       (sum(j.cost_usd) + sum(CASE WHEN j.completed > 0 THEN j.cost_usd / j.completed * j.remaining
                                   ELSE coalesce(a.cost_per_task, 0) * j.remaining END))::double precision AS projected_total_usd,
       b.budget_usd
FROM joined j
JOIN build_average a ON a.build_id = j.build_id
LEFT JOIN builds b ON b.id = j.build_id
GROUP BY j.build_id, b.budget_usd;

-- Workers read and fill the cache and append usage; monitors read the views.
DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('GRANT ALL ON %I.llm_cache, %I.llm_usage TO quarry_owner', s, s);
    EXECUTE format('GRANT SELECT, INSERT ON %I.llm_cache TO quarry_worker', s);
    EXECUTE format('GRANT SELECT, INSERT ON %I.llm_usage TO quarry_worker', s);
    EXECUTE format('GRANT SELECT ON %I.llm_usage_summary, %I.llm_usage_by_build, %I.llm_cost_projection TO quarry_monitor', s, s, s);
END $$;
