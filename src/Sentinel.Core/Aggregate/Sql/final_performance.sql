-- summary/performance: per-run timing distributions per library × function × version.
SELECT p.library, p.function, p.version, o.rank AS version_rank,
       p.runs, p.qualified_runs, p.calls,
       round(p.p50_median_ms, 4) AS p50_median_ms, round(p.p95_median_ms, 4) AS p95_median_ms,
       round(p.p95_p25_ms, 4) AS p95_p25_ms, round(p.p95_p75_ms, 4) AS p95_p75_ms,
       p.p95_min_ms, p.p95_max_ms, p.p95_values_ms
FROM s_performance p
JOIN version_order o ON o.library = p.library AND o.version = p.version
ORDER BY p.library, p.function, o.rank
