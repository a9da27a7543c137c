-- Folds the rows of new ingests (views d_events, d_performance over their files) into the partials.
-- Every measure merges with +, min or max, so the order in which ingests are folded does not matter.

-- One pass over the new events: everything below reads this much smaller table.
CREATE OR REPLACE TEMP TABLE d_ev AS
SELECT library, version, run_key, bundle_id, level,
       coalesce(code, '') AS code, coalesce(trace_hash, '') AS trace_hash,
       exception_type, category, source, python_version, platform,
       CAST("timestamp" AS DATE) AS day,
       count(*) AS events, min("timestamp") AS first_seen, max("timestamp") AS last_seen,
       min(received_at) AS received_at
FROM d_events
GROUP BY ALL;

INSERT INTO p_runs
SELECT library, version, run_key,
       sum(events), sum(debug), sum(info), sum(warning), sum(error), sum(critical),
       min(first_seen), max(last_seen), min(python_version), min(platform)
FROM (
    SELECT library, version, run_key, events,
           CASE WHEN level = 'DEBUG' THEN events ELSE 0 END AS debug,
           CASE WHEN level = 'INFO' THEN events ELSE 0 END AS info,
           CASE WHEN level = 'WARNING' THEN events ELSE 0 END AS warning,
           CASE WHEN level = 'ERROR' THEN events ELSE 0 END AS error,
           CASE WHEN level = 'CRITICAL' THEN events ELSE 0 END AS critical,
           first_seen, last_seen, python_version, platform
    FROM d_ev
    UNION ALL
    SELECT library, version, run_key, 0, 0, 0, 0, 0, 0, NULL, NULL, python_version, platform
    FROM d_performance
)
GROUP BY library, version, run_key
ON CONFLICT DO UPDATE SET
    events = events + EXCLUDED.events, debug = debug + EXCLUDED.debug, info = info + EXCLUDED.info,
    warning = warning + EXCLUDED.warning, error = error + EXCLUDED.error, critical = critical + EXCLUDED.critical,
    first_seen = coalesce(least(first_seen, EXCLUDED.first_seen), first_seen, EXCLUDED.first_seen),
    last_seen = coalesce(greatest(last_seen, EXCLUDED.last_seen), last_seen, EXCLUDED.last_seen),
    python_version = coalesce(least(python_version, EXCLUDED.python_version), python_version, EXCLUDED.python_version),
    platform = coalesce(least(platform, EXCLUDED.platform), platform, EXCLUDED.platform);

INSERT INTO p_bundles
SELECT library, version, bundle_id, run_key, min(received_at)
FROM (
    SELECT library, version, bundle_id, run_key, received_at FROM d_ev
    UNION ALL
    SELECT library, version, bundle_id, run_key, received_at FROM d_performance
)
GROUP BY library, version, bundle_id, run_key
ON CONFLICT DO UPDATE SET
    received_at = coalesce(least(received_at, EXCLUDED.received_at), received_at, EXCLUDED.received_at);

INSERT INTO p_problem_runs
SELECT library, version, code, trace_hash, run_key,
       max(CASE level WHEN 'CRITICAL' THEN 5 WHEN 'ERROR' THEN 4 WHEN 'WARNING' THEN 3 WHEN 'INFO' THEN 2 ELSE 1 END),
       min(exception_type), min(category), min(source), sum(events), min(first_seen), max(last_seen)
FROM d_ev
WHERE level IN ('WARNING', 'ERROR', 'CRITICAL') OR code <> ''
GROUP BY library, version, code, trace_hash, run_key
ON CONFLICT DO UPDATE SET
    level_rank = greatest(level_rank, EXCLUDED.level_rank),
    exception_type = coalesce(least(exception_type, EXCLUDED.exception_type), exception_type, EXCLUDED.exception_type),
    category = coalesce(least(category, EXCLUDED.category), category, EXCLUDED.category),
    source = coalesce(least(source, EXCLUDED.source), source, EXCLUDED.source),
    events = events + EXCLUDED.events,
    first_seen = least(first_seen, EXCLUDED.first_seen),
    last_seen = greatest(last_seen, EXCLUDED.last_seen);

INSERT INTO p_problem_days
SELECT library, version, code, trace_hash, day, run_key, sum(events)
FROM d_ev
WHERE level IN ('WARNING', 'ERROR', 'CRITICAL') OR code <> ''
GROUP BY library, version, code, trace_hash, day, run_key
ON CONFLICT DO UPDATE SET events = events + EXCLUDED.events;

INSERT INTO p_level_days
SELECT library, version, level, day, run_key, sum(events)
FROM d_ev
GROUP BY library, version, level, day, run_key
ON CONFLICT DO UPDATE SET events = events + EXCLUDED.events;

-- The ingester stores one timing row per run × function; should two ever meet, the one with more
-- calls wins (then the larger p95), whichever arrives first.
INSERT INTO p_perf
SELECT library, version, function, run_key, "count", p50_ms, p95_ms, max_ms
FROM d_performance
WHERE function IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY library, version, function, run_key
    ORDER BY "count" DESC NULLS LAST, p95_ms DESC NULLS LAST, p50_ms DESC NULLS LAST, max_ms DESC NULLS LAST) = 1
ON CONFLICT DO UPDATE SET calls = EXCLUDED.calls, p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms, max_ms = EXCLUDED.max_ms
WHERE coalesce(EXCLUDED.calls, -1) > coalesce(calls, -1)
   OR (coalesce(EXCLUDED.calls, -1) = coalesce(calls, -1) AND coalesce(EXCLUDED.p95_ms, -1) > coalesce(p95_ms, -1));

DROP TABLE d_ev;
