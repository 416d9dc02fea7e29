-- Build inputs and graph expansion.
--
-- records: a build's input rows, loaded through COPY at submit so workers on other machines need no files.
-- `text` is the passage a recipe may retrieve over; `search` indexes it for full-text retrieval.
CREATE TABLE records (
    build_id bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    line     integer NOT NULL,
    data     jsonb NOT NULL,
    text     text,
    search   tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, ''))) STORED,
    PRIMARY KEY (build_id, line)
);
CREATE INDEX records_search ON records USING gin (search);

-- Input rows that failed validation, with the reason; counted and exported, never silently dropped.
CREATE TABLE rejects (
    build_id bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    line     integer NOT NULL,
    reason   text NOT NULL,
    excerpt  text,
    PRIMARY KEY (build_id, line)
);

-- The coordinator expands each finished task exactly once: expanded_at marks it done. The partial index
-- holds only finished-but-unexpanded tasks, a small moving set.
ALTER TABLE tasks ADD COLUMN expanded_at timestamptz;
CREATE INDEX tasks_unexpanded ON tasks (build_id, id)
    WHERE expanded_at IS NULL AND state IN ('completed', 'dead', 'cancelled');

ALTER TABLE builds ADD COLUMN seeded_at timestamptz;

DO $$
DECLARE
    s text := current_schema();
BEGIN
    EXECUTE format('GRANT SELECT ON %I.records TO quarry_worker', s);
    EXECUTE format('GRANT ALL ON %I.records, %I.rejects TO quarry_owner', s, s);
END $$;
