-- summary/libraries: one row per library; status is the latest version's.
WITH latest AS (
    SELECT v.library, arg_max(v.version, o.rank) AS latest_version
    FROM s_versions v JOIN version_order o ON o.library = v.library AND o.version = v.version
    WHERE v.version <> 'unknown'
    GROUP BY v.library
), runs AS (
    SELECT library, count(DISTINCT run_key) AS runs,
           count(DISTINCT run_key) FILTER (WHERE error + critical = 0) AS error_free_runs
    FROM (SELECT library, run_key, sum(error) AS error, sum(critical) AS critical
          FROM p_runs GROUP BY library, run_key)
    GROUP BY library
), bundles AS (
    SELECT library, count(DISTINCT bundle_id) AS bundles, max(received_at) AS last_received
    FROM p_bundles GROUP BY library
), problems AS (
    SELECT library, count(*) AS problems FROM s_problems GROUP BY library
), regs AS (
    SELECT library,
           count(*) FILTER (WHERE status = 'confirmed') AS confirmed_regressions,
           count(*) FILTER (WHERE status = 'suspected') AS suspected_regressions
    -- A library regression (RegressionScope.cs): new problems and slowdowns, not fixes, not smonitor's own codes.
    FROM regressions WHERE kind IN ('new_in_version', 'performance') AND coalesce(code, '') NOT LIKE 'SMONITOR-%' GROUP BY library
)
SELECT v.library,
       list(v.version ORDER BY o.rank) AS versions,
       coalesce(any_value(l.latest_version), 'unknown') AS latest_version,
       coalesce(any_value(s.status) FILTER (WHERE v.version = coalesce(l.latest_version, 'unknown')), 'insufficient data') AS latest_status,
       any_value(b.bundles) AS bundles, any_value(r.runs) AS runs,
       sum(v.events)::BIGINT AS events,
       any_value(r.error_free_runs) AS error_free_runs,
       round(any_value(r.error_free_runs) / any_value(r.runs), 4) AS error_free_rate,
       min(v.first_seen) AS first_seen, max(v.last_seen) AS last_seen,
       any_value(b.last_received) AS last_received,
       coalesce(any_value(p.problems), 0) AS problems,
       coalesce(any_value(g.confirmed_regressions), 0) AS confirmed_regressions,
       coalesce(any_value(g.suspected_regressions), 0) AS suspected_regressions
FROM s_versions v
JOIN version_order o ON o.library = v.library AND o.version = v.version
JOIN version_status s ON s.library = v.library AND s.version = v.version
LEFT JOIN latest l ON l.library = v.library
LEFT JOIN runs r ON r.library = v.library
LEFT JOIN bundles b ON b.library = v.library
LEFT JOIN problems p ON p.library = v.library
LEFT JOIN regs g ON g.library = v.library
GROUP BY v.library
ORDER BY v.library
