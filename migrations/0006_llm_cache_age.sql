-- Lets `quarry prune-cache --older-than` find old answers in batches without scanning the whole cache.
CREATE INDEX llm_cache_created_at ON llm_cache (created_at);
