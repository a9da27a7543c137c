-- Step 1 of the summaries: everything the statistics need, computed from the partials. The C# side
-- then orders versions (PEP 440), runs the regression tests and sets statuses (tables version_order,
-- regressions, version_status), and final_*.sql shape the published tables.

CREATE OR REPLACE TEMP TABLE s_versions AS
SELECT r.library, r.version,
       coalesce(any_value(b.bundles), 0) AS bundles,
       count(*) AS runs,
       sum(r.events)::BIGINT AS events,
       sum(r.debug)::BIGINT AS debug, sum(r.info)::BIGINT AS info, sum(r.warning)::BIGINT AS warning,
       sum(r.error)::BIGINT AS error, sum(r.critical)::BIGINT AS critical,
       count(*) FILTER (WHERE r.error + r.critical = 0) AS error_free_runs,
       count(*) FILTER (WHERE r.critical = 0) AS crash_free_runs,
       min(r.first_seen) AS first_seen, max(r.last_seen) AS last_seen,
       any_value(b.last_received) AS last_received
FROM p_runs r
LEFT JOIN (SELECT library, version, count(DISTINCT bundle_id) AS bundles, max(received_at) AS last_received
           FROM p_bundles GROUP BY library, version) b
       ON b.library = r.library AND b.version = r.version
GROUP BY r.library, r.version;

-- A problem, for everything a human sees, is a library × code (docs/aggregate.md, "Problems"): the trace
-- hashes of one code are its variants (a bundle and a /v1/events record, install paths in a fingerprint). An
-- uncoded problem is an exception type × source function; each trace hash maps to its problem's key and
-- representative (the variant with the most events, then the least hash). A source is a stranger's text: a
-- trace hash takes the source most of its runs report, and only when at least privacy.min_runs_public runs
-- report it; otherwise it has no source and is keyed by its trace hash (one forged upload names nothing).
CREATE OR REPLACE TEMP TABLE s_variants AS
WITH t AS (
    SELECT library, code, trace_hash, min(exception_type) AS exception_type, sum(events) AS events
    FROM p_problem_runs GROUP BY library, code, trace_hash
), sources AS (
    SELECT library, code, trace_hash, source, count(DISTINCT run_key) AS runs
    FROM p_problem_runs WHERE source IS NOT NULL GROUP BY library, code, trace_hash, source
    QUALIFY row_number() OVER (PARTITION BY library, code, trace_hash ORDER BY count(DISTINCT run_key) DESC, source) = 1
), k AS (
    SELECT t.*, CASE WHEN s.runs >= getvariable('min_runs_public') THEN s.source END AS source
    FROM t LEFT JOIN sources s ON s.library = t.library AND s.code = t.code AND s.trace_hash = t.trace_hash
), keyed AS (
    SELECT *, CASE WHEN code <> '' THEN code
                   WHEN source IS NULL THEN 'trace:' || trace_hash
                   ELSE coalesce(exception_type, '-') || '@' || source END AS problem_key
    FROM k
)
SELECT library, code, trace_hash, problem_key, source,
       first_value(trace_hash) OVER (PARTITION BY library, problem_key ORDER BY events DESC, trace_hash) AS key_hash
FROM keyed;

-- Runs affected per problem and version: the input of new-in / fixed-in. A coded problem is tracked by its
-- code (a new trace hash of a known code is usually new input to a known check, not a new defect); an
-- uncoded one by its representative trace hash.
CREATE OR REPLACE TEMP TABLE s_problem_versions AS
SELECT pr.library, pr.code, CASE WHEN pr.code = '' THEN v.key_hash ELSE '' END AS trace_hash, pr.version,
       count(DISTINCT pr.run_key) AS runs, sum(pr.events)::BIGINT AS events, max(pr.level_rank) AS level_rank
FROM p_problem_runs pr
JOIN s_variants v ON v.library = pr.library AND v.code = pr.code AND v.trace_hash = pr.trace_hash
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE s_problems AS
SELECT pr.library, pr.code, v.key_hash AS trace_hash, v.problem_key,
       list_sort(list_distinct(list(pr.trace_hash))) AS variants,
       min(v.source) AS source,
       max(pr.level_rank) AS level_rank,
       min(pr.exception_type) AS exception_type, min(pr.category) AS category,
       sum(pr.events)::BIGINT AS events,
       count(DISTINCT pr.run_key) AS runs_affected,
       min(pr.first_seen) AS first_seen, max(pr.last_seen) AS last_seen,
       list_sort(list_distinct(list(r.platform))) AS platforms,
       list_sort(list_distinct(list(r.python_version))) AS python_versions
FROM p_problem_runs pr
JOIN s_variants v ON v.library = pr.library AND v.code = pr.code AND v.trace_hash = pr.trace_hash
JOIN p_runs r ON r.library = pr.library AND r.version = pr.version AND r.run_key = pr.run_key
GROUP BY pr.library, pr.code, v.key_hash, v.problem_key;

-- Per-run timings per library × function × version. A run's p95 counts towards the distribution
-- only when it rests on at least min_calls calls (a "p95" of one call is that call).
CREATE OR REPLACE TEMP TABLE s_performance AS
SELECT library, function, version,
       count(*) AS runs,
       count(*) FILTER (WHERE calls >= getvariable('min_calls') AND p95_ms IS NOT NULL) AS qualified_runs,
       sum(calls)::BIGINT AS calls,
       quantile_cont(p50_ms, 0.5) FILTER (WHERE calls >= getvariable('min_calls')) AS p50_median_ms,
       quantile_cont(p95_ms, 0.5) FILTER (WHERE calls >= getvariable('min_calls')) AS p95_median_ms,
       quantile_cont(p95_ms, 0.25) FILTER (WHERE calls >= getvariable('min_calls')) AS p95_p25_ms,
       quantile_cont(p95_ms, 0.75) FILTER (WHERE calls >= getvariable('min_calls')) AS p95_p75_ms,
       min(p95_ms) FILTER (WHERE calls >= getvariable('min_calls')) AS p95_min_ms,
       max(p95_ms) FILTER (WHERE calls >= getvariable('min_calls')) AS p95_max_ms,
       coalesce(list(p95_ms ORDER BY p95_ms) FILTER (WHERE calls >= getvariable('min_calls') AND p95_ms IS NOT NULL),
                []::DOUBLE[]) AS p95_values_ms
FROM p_perf
GROUP BY library, function, version;
