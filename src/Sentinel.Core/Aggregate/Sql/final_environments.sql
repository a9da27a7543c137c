-- summary/environments: share of a version's runs by Python version and by platform.
WITH dims AS (
    SELECT library, version, 'python_version' AS dimension, coalesce(python_version, 'unknown') AS value FROM p_runs
    UNION ALL
    SELECT library, version, 'platform', coalesce(platform, 'unknown') FROM p_runs
)
SELECT d.library, d.version, o.rank AS version_rank, d.dimension, d.value,
       count(*) AS runs,
       round(count(*) / any_value(v.runs), 4) AS share
FROM dims d
JOIN s_versions v ON v.library = d.library AND v.version = d.version
JOIN version_order o ON o.library = d.library AND o.version = d.version
GROUP BY d.library, d.version, o.rank, d.dimension, d.value
ORDER BY d.library, o.rank, d.dimension, runs DESC, d.value
