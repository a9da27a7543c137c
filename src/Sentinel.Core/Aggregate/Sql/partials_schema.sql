-- Partial aggregates: the lake reduced to grains at which every measure is additive (sums, min, max),
-- so a new ingest is folded in without re-reading the old files, and folding in any order gives the
-- same tables (incremental == --full). Kept in <lake>/state/aggregate.duckdb; private, rebuildable.
CREATE TABLE IF NOT EXISTS p_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

-- Ingests already folded in (ingest ids from the bundles ledger).
CREATE TABLE IF NOT EXISTS p_ingests (ingest_id VARCHAR PRIMARY KEY);

-- One row per library × version × run. A run that only left timing rows has zero events.
CREATE TABLE IF NOT EXISTS p_runs (
    library VARCHAR NOT NULL, version VARCHAR NOT NULL, run_key VARCHAR NOT NULL,
    events BIGINT NOT NULL, debug BIGINT NOT NULL, info BIGINT NOT NULL, warning BIGINT NOT NULL,
    error BIGINT NOT NULL, critical BIGINT NOT NULL,
    first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ,
    python_version VARCHAR, platform VARCHAR,
    PRIMARY KEY (library, version, run_key));

-- Uploads that brought rows of a library × version, per run (so a run's rows can move to the version
-- another upload of the same run reports: partials_resolve.sql).
CREATE TABLE IF NOT EXISTS p_bundles (
    library VARCHAR NOT NULL, version VARCHAR NOT NULL, bundle_id VARCHAR NOT NULL, run_key VARCHAR NOT NULL,
    received_at TIMESTAMPTZ,
    PRIMARY KEY (library, version, bundle_id, run_key));

-- Problems per run: every WARNING/ERROR/CRITICAL event, and coded DEBUG/INFO events (a code is a
-- catalogued signal). level_rank: DEBUG 1 … CRITICAL 5. code and trace_hash are '' when absent (keys).
-- source (the least one seen) groups an uncoded problem's trace hashes: summaries.sql, s_variants.
CREATE TABLE IF NOT EXISTS p_problem_runs (
    library VARCHAR NOT NULL, version VARCHAR NOT NULL, code VARCHAR NOT NULL, trace_hash VARCHAR NOT NULL,
    run_key VARCHAR NOT NULL,
    level_rank INTEGER NOT NULL, exception_type VARCHAR, category VARCHAR, source VARCHAR,
    events BIGINT NOT NULL, first_seen TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (library, version, code, trace_hash, run_key));

-- Daily counts keep the run, so every published number can say how many runs back it (the public
-- dashboard hides numbers backed by fewer than privacy.min_runs_public runs).
CREATE TABLE IF NOT EXISTS p_problem_days (
    library VARCHAR NOT NULL, version VARCHAR NOT NULL, code VARCHAR NOT NULL, trace_hash VARCHAR NOT NULL,
    day DATE NOT NULL, run_key VARCHAR NOT NULL, events BIGINT NOT NULL,
    PRIMARY KEY (library, version, code, trace_hash, day, run_key));

CREATE TABLE IF NOT EXISTS p_level_days (
    library VARCHAR NOT NULL, version VARCHAR NOT NULL, level VARCHAR NOT NULL, day DATE NOT NULL,
    run_key VARCHAR NOT NULL, events BIGINT NOT NULL,
    PRIMARY KEY (library, version, level, day, run_key));

-- Timings: one row per library × version × function × run (the lake stores them once per run).
CREATE TABLE IF NOT EXISTS p_perf (
    library VARCHAR NOT NULL, version VARCHAR NOT NULL, function VARCHAR NOT NULL, run_key VARCHAR NOT NULL,
    calls BIGINT, p50_ms DOUBLE, p95_ms DOUBLE, max_ms DOUBLE,
    PRIMARY KEY (library, version, function, run_key));
