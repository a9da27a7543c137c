-- summary/versions: health per library × version, in PEP 440 order.
SELECT v.library, v.version, o.rank AS version_rank, o.pre_release,
       v.bundles, v.runs, v.events, v.debug, v.info, v.warning, v.error, v.critical,
       v.error_free_runs,
       round(v.error_free_runs / v.runs, 4) AS error_free_rate,
       round(v.warning / v.runs, 3) AS warnings_per_run,
       v.first_seen, v.last_seen, v.last_received,
       s.status, s.status_reason,
       v.crash_free_runs, round(v.crash_free_runs / v.runs, 4) AS crash_free_rate
FROM s_versions v
JOIN version_order o ON o.library = v.library AND o.version = v.version
JOIN version_status s ON s.library = v.library AND s.version = v.version
ORDER BY v.library, o.rank
