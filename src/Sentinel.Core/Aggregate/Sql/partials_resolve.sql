-- Runs after every fold (partials_merge.sql), in the same transaction: rows of a run whose version was not
-- reported move to the version another upload of the same run reports (one process runs one version of a
-- library; docs/library-authors.md). Moving merges with the same rules as folding, so the result does not
-- depend on the order uploads arrive in. A run that reports two versions (only a forged upload can) moves to
-- the lowest of them.
CREATE OR REPLACE TEMP TABLE r_map AS
SELECT u.library, u.run_key, min(k.version) AS version
FROM (SELECT DISTINCT library, run_key FROM p_runs WHERE version = 'unknown') u
JOIN p_runs k ON k.library = u.library AND k.run_key = u.run_key AND k.version <> 'unknown'
GROUP BY u.library, u.run_key;

INSERT INTO p_runs
SELECT p.library, m.version, p.run_key, p.events, p.debug, p.info, p.warning, p.error, p.critical,
       p.first_seen, p.last_seen, p.python_version, p.platform
FROM p_runs p JOIN r_map m ON m.library = p.library AND m.run_key = p.run_key
WHERE p.version = 'unknown'
ON CONFLICT DO UPDATE SET
    events = events + EXCLUDED.events, debug = debug + EXCLUDED.debug, info = info + EXCLUDED.info,
    warning = warning + EXCLUDED.warning, error = error + EXCLUDED.error, critical = critical + EXCLUDED.critical,
    first_seen = coalesce(least(first_seen, EXCLUDED.first_seen), first_seen, EXCLUDED.first_seen),
    last_seen = coalesce(greatest(last_seen, EXCLUDED.last_seen), last_seen, EXCLUDED.last_seen),
    python_version = coalesce(least(python_version, EXCLUDED.python_version), python_version, EXCLUDED.python_version),
    platform = coalesce(least(platform, EXCLUDED.platform), platform, EXCLUDED.platform);

INSERT INTO p_bundles
SELECT p.library, m.version, p.bundle_id, p.run_key, p.received_at
FROM p_bundles p JOIN r_map m ON m.library = p.library AND m.run_key = p.run_key
WHERE p.version = 'unknown'
ON CONFLICT DO UPDATE SET
    received_at = coalesce(least(received_at, EXCLUDED.received_at), received_at, EXCLUDED.received_at);

INSERT INTO p_problem_runs
SELECT p.library, m.version, p.code, p.trace_hash, p.run_key, p.level_rank, p.exception_type, p.category,
       p.source, p.events, p.first_seen, p.last_seen
FROM p_problem_runs p JOIN r_map m ON m.library = p.library AND m.run_key = p.run_key
WHERE p.version = 'unknown'
ON CONFLICT DO UPDATE SET
    level_rank = greatest(level_rank, EXCLUDED.level_rank),
    exception_type = coalesce(least(exception_type, EXCLUDED.exception_type), exception_type, EXCLUDED.exception_type),
    category = coalesce(least(category, EXCLUDED.category), category, EXCLUDED.category),
    source = coalesce(least(source, EXCLUDED.source), source, EXCLUDED.source),
    events = events + EXCLUDED.events,
    first_seen = least(first_seen, EXCLUDED.first_seen),
    last_seen = greatest(last_seen, EXCLUDED.last_seen);

INSERT INTO p_problem_days
SELECT p.library, m.version, p.code, p.trace_hash, p.day, p.run_key, p.events
FROM p_problem_days p JOIN r_map m ON m.library = p.library AND m.run_key = p.run_key
WHERE p.version = 'unknown'
ON CONFLICT DO UPDATE SET events = events + EXCLUDED.events;

INSERT INTO p_level_days
SELECT p.library, m.version, p.level, p.day, p.run_key, p.events
FROM p_level_days p JOIN r_map m ON m.library = p.library AND m.run_key = p.run_key
WHERE p.version = 'unknown'
ON CONFLICT DO UPDATE SET events = events + EXCLUDED.events;

INSERT INTO p_perf
SELECT p.library, m.version, p.function, p.run_key, p.calls, p.p50_ms, p.p95_ms, p.max_ms
FROM p_perf p JOIN r_map m ON m.library = p.library AND m.run_key = p.run_key
WHERE p.version = 'unknown'
ON CONFLICT DO UPDATE SET calls = EXCLUDED.calls, p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms, max_ms = EXCLUDED.max_ms
WHERE coalesce(EXCLUDED.calls, -1) > coalesce(calls, -1)
   OR (coalesce(EXCLUDED.calls, -1) = coalesce(calls, -1) AND coalesce(EXCLUDED.p95_ms, -1) > coalesce(p95_ms, -1));

DELETE FROM p_runs p USING r_map m WHERE p.version = 'unknown' AND m.library = p.library AND m.run_key = p.run_key;
DELETE FROM p_bundles p USING r_map m WHERE p.version = 'unknown' AND m.library = p.library AND m.run_key = p.run_key;
DELETE FROM p_problem_runs p USING r_map m WHERE p.version = 'unknown' AND m.library = p.library AND m.run_key = p.run_key;
DELETE FROM p_problem_days p USING r_map m WHERE p.version = 'unknown' AND m.library = p.library AND m.run_key = p.run_key;
DELETE FROM p_level_days p USING r_map m WHERE p.version = 'unknown' AND m.library = p.library AND m.run_key = p.run_key;
DELETE FROM p_perf p USING r_map m WHERE p.version = 'unknown' AND m.library = p.library AND m.run_key = p.run_key;

DROP TABLE r_map;
