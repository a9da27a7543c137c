-- summary/activity: runs and events per library × version × period, at three grains: 'day', 'week' (ISO weeks,
-- from Monday) and 'month'. A run is counted in a period when it has events on a day of it; error_runs are those
-- with an ERROR or CRITICAL event in the period. Runs are distinct within a period, so a coarser grain is not the
-- sum of a finer one: each grain is computed here. The dashboard draws adoption (runs per version over time) and
-- errors and warnings per run from it, and the public view picks the finest grain whose periods all reach k runs.
-- Rows with a null version (and version_rank -1) are the library's totals over all its versions, runs distinct
-- across them (a run that reported two versions counts once).
WITH per_run_day AS (
    SELECT library, version, run_key, day,
           sum(events) AS events,
           coalesce(sum(events) FILTER (WHERE level = 'WARNING'), 0) AS warnings,
           coalesce(sum(events) FILTER (WHERE level IN ('ERROR', 'CRITICAL')), 0) AS errors
    FROM p_level_days
    GROUP BY library, version, run_key, day
), grains AS (
    SELECT 'day' AS grain, day AS period, library, version, run_key, events, warnings, errors FROM per_run_day
    UNION ALL
    SELECT 'week', date_trunc('week', day)::DATE, library, version, run_key, events, warnings, errors FROM per_run_day
    UNION ALL
    SELECT 'month', date_trunc('month', day)::DATE, library, version, run_key, events, warnings, errors FROM per_run_day
), rows AS (
SELECT g.library, g.version, o.rank AS version_rank, g.grain, g.period,
       count(DISTINCT g.run_key) AS runs,
       count(DISTINCT g.run_key) FILTER (WHERE g.errors > 0) AS error_runs,
       sum(g.events)::BIGINT AS events,
       sum(g.warnings)::BIGINT AS warnings,
       sum(g.errors)::BIGINT AS errors
FROM grains g
JOIN version_order o ON o.library = g.library AND o.version = g.version
GROUP BY g.library, g.version, o.rank, g.grain, g.period
UNION ALL
SELECT library, NULL, -1, grain, period,
       count(DISTINCT run_key),
       count(DISTINCT run_key) FILTER (WHERE errors > 0),
       sum(events)::BIGINT, sum(warnings)::BIGINT, sum(errors)::BIGINT
FROM grains
GROUP BY library, grain, period
)
SELECT * FROM rows
ORDER BY library, CASE grain WHEN 'day' THEN 1 WHEN 'week' THEN 2 ELSE 3 END, period, version_rank
