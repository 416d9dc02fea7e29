-- Endpoint calls being made right now, by cache key (the same key as llm_cache). Before paying for an answer
-- that is not cached, a worker process claims its key here; another process that needs the same answer at the
-- same moment waits for the claim to go and then reads the answer from llm_cache, instead of paying for it
-- too. (Within one process, LLMService shares such calls in memory.) A claim ends when its call does; one
-- whose process died is taken over once `until` has passed. Rows live for the length of a call.
CREATE TABLE llm_calls_in_flight (
    key        bytea PRIMARY KEY CHECK (octet_length(key) = 32),
    owner      text NOT NULL,          -- the claiming process (host, pid and a per-process nonce), for operators
    until      timestamptz NOT NULL    -- after this the claim counts as abandoned
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0);

-- Workers claim and release (nothing in a row is secret: the key is a hash, the owner a process name);
-- monitors read views only, as everywhere.
DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('GRANT ALL ON %I.llm_calls_in_flight TO quarry_owner', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.llm_calls_in_flight TO quarry_worker', s);
END $$;
