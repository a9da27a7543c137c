-- summary/environments: share of a version's runs by Python version and by platform, and the error-free
-- rate of those runs (is 3.13 or Windows worse off?).
WITH dims AS (
    SELECT library, version, 'python_version' AS dimension, coalesce(python_version, 'unknown') AS value, error + critical = 0 AS ok FROM p_runs
    UNION ALL
    SELECT library, version, 'platform', coalesce(platform, 'unknown'), error + critical = 0 FROM p_runs
)
SELECT d.library, d.version, o.rank AS version_rank, d.dimension, d.value,
       count(*) AS runs,
       round(count(*) / any_value(v.runs), 4) AS share,
       count(*) FILTER (WHERE d.ok) AS error_free_runs,
       round(count(*) FILTER (WHERE d.ok) / count(*), 4) AS error_free_rate
FROM dims d
JOIN s_versions v ON v.library = d.library AND v.version = d.version
JOIN version_order o ON o.library = d.library AND o.version = d.version
GROUP BY d.library, d.version, o.rank, d.dimension, d.value
ORDER BY d.library, o.rank, d.dimension, runs DESC, d.value
