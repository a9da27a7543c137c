-- summary/problems: one row per problem (library × code; uncoded: exception type × source function, see
-- s_variants): warnings and above, and coded DEBUG/INFO signals. trace_hash is the representative variant.
WITH per_version AS (
    SELECT pv.library, pv.code, pv.trace_hash,
           list(pv.version ORDER BY o.rank) AS versions,
           arg_min(pv.version, o.rank) AS first_version,
           arg_max(pv.version, o.rank) AS last_version
    FROM (SELECT DISTINCT p.library, p.code, v.key_hash AS trace_hash, p.version
          FROM p_problem_runs p JOIN s_variants v ON v.library = p.library AND v.code = p.code AND v.trace_hash = p.trace_hash) pv
    JOIN version_order o ON o.library = pv.library AND o.version = pv.version
    GROUP BY pv.library, pv.code, pv.trace_hash
), daily AS (
    SELECT library, code, trace_hash, list({'day': day, 'events': events, 'runs': runs} ORDER BY day) AS daily
    FROM (SELECT d.library, d.code, v.key_hash AS trace_hash, d.day, sum(d.events)::BIGINT AS events, count(DISTINCT d.run_key) AS runs
          FROM p_problem_days d JOIN s_variants v ON v.library = d.library AND v.code = d.code AND v.trace_hash = d.trace_hash
          GROUP BY d.library, d.code, v.key_hash, d.day)
    GROUP BY library, code, trace_hash
), spread_rows AS (
    -- Where a problem happens: its runs by version, Python version and platform, each over the library's runs with
    -- that value (problem pages draw them as share bars; the public view shows a row only when k runs back it).
    SELECT pr.library, pr.code, v.key_hash AS trace_hash, 'version' AS dimension, pr.version AS value, count(DISTINCT pr.run_key) AS runs
    FROM p_problem_runs pr JOIN s_variants v ON v.library = pr.library AND v.code = pr.code AND v.trace_hash = pr.trace_hash
    GROUP BY ALL
    UNION ALL
    SELECT pr.library, pr.code, v.key_hash, 'python_version', coalesce(r.python_version, 'unknown'), count(DISTINCT pr.run_key)
    FROM p_problem_runs pr JOIN s_variants v ON v.library = pr.library AND v.code = pr.code AND v.trace_hash = pr.trace_hash
    JOIN p_runs r ON r.library = pr.library AND r.version = pr.version AND r.run_key = pr.run_key
    GROUP BY ALL
    UNION ALL
    SELECT pr.library, pr.code, v.key_hash, 'platform', coalesce(r.platform, 'unknown'), count(DISTINCT pr.run_key)
    FROM p_problem_runs pr JOIN s_variants v ON v.library = pr.library AND v.code = pr.code AND v.trace_hash = pr.trace_hash
    JOIN p_runs r ON r.library = pr.library AND r.version = pr.version AND r.run_key = pr.run_key
    GROUP BY ALL
), dimension_runs AS (
    SELECT library, 'version' AS dimension, version AS value, count(DISTINCT run_key) AS runs FROM p_runs GROUP BY ALL
    UNION ALL
    SELECT library, 'python_version', coalesce(python_version, 'unknown'), count(DISTINCT run_key) FROM p_runs GROUP BY ALL
    UNION ALL
    SELECT library, 'platform', coalesce(platform, 'unknown'), count(DISTINCT run_key) FROM p_runs GROUP BY ALL
), spread AS (
    SELECT s.library, s.code, s.trace_hash,
           list({'dimension': s.dimension, 'value': s.value, 'runs': s.runs, 'of_runs': d.runs, 'share': round(s.runs / d.runs, 4)}
                ORDER BY s.dimension DESC, coalesce(o.rank, 0), s.runs DESC, s.value) AS spread
    FROM spread_rows s
    JOIN dimension_runs d ON d.library = s.library AND d.dimension = s.dimension AND d.value = s.value
    LEFT JOIN version_order o ON s.dimension = 'version' AND o.library = s.library AND o.version = s.value
    GROUP BY s.library, s.code, s.trace_hash
), library_runs AS (
    SELECT library, count(DISTINCT run_key) AS runs FROM p_runs GROUP BY library
), title_support AS (
    -- How many distinct runs reported each title of a code (docs/privacy.md: the title most runs agree on wins,
    -- never the first one seen; one anonymous upload cannot set it).
    SELECT c.library, c.code, c.title, count(DISTINCT b.run_key) AS runs, max(coalesce(o.rank, -1)) AS newest_rank
    FROM catalog_rows c
    JOIN bundle_rows b ON b.bundle_id = c.bundle_id
    LEFT JOIN version_order o ON o.library = c.library AND o.version = c.version
    WHERE c.title IS NOT NULL
    GROUP BY c.library, c.code, c.title
), titles AS (
    SELECT library, code,
           arg_max(title, (runs, newest_rank, title)) AS title,
           max(runs) AS title_runs,
           sum(runs) AS titled_runs
    FROM title_support
    GROUP BY library, code
), new_in AS (
    SELECT library, code, trace_hash, version, status FROM regressions WHERE kind = 'new_in_version'
), fixed_in AS (
    SELECT library, code, trace_hash, version, status FROM regressions WHERE kind = 'fixed_in_version'
), new_in_runs AS (
    -- A problem new in V is measured over V's runs (issue 16: "33% of 2.2.0's runs", not 14% of all versions').
    SELECT n.library, n.code, n.trace_hash, pv.runs AS runs_affected, sv.runs AS version_runs
    FROM new_in n
    JOIN s_problem_versions pv ON pv.library = n.library AND pv.code = n.code AND pv.trace_hash = n.trace_hash AND pv.version = n.version
    JOIN s_versions sv ON sv.library = n.library AND sv.version = n.version
)
SELECT p.library, nullif(p.code, '') AS code, p.trace_hash, p.problem_key, p.variants, p.source,
       CASE p.level_rank WHEN 5 THEN 'CRITICAL' WHEN 4 THEN 'ERROR' WHEN 3 THEN 'WARNING' WHEN 2 THEN 'INFO' ELSE 'DEBUG' END AS level,
       p.exception_type, p.category,
       -- A library with a registered catalog (libraries.<name>.catalog) takes its titles from it only.
       CASE WHEN cl.library IS NOT NULL THEN rt.title ELSE t.title END AS title,
       CASE WHEN cl.library IS NOT NULL THEN 'catalog' WHEN t.title IS NOT NULL THEN 'reports' END AS title_source,
       coalesce(t.title_runs, 0)::BIGINT AS title_runs,
       coalesce(t.title_runs * 2 > t.titled_runs, false) AS title_majority,
       p.events, p.runs_affected,
       round(p.runs_affected / lr.runs, 4) AS runs_affected_share,
       v.versions, v.first_version, v.last_version,
       p.platforms, p.python_versions,
       p.first_seen, p.last_seen,
       d.daily,
       n.version AS new_in_version, n.status AS new_in_status,
       f.version AS fixed_in_version, f.status AS fixed_in_status,
       nr.runs_affected AS new_in_runs_affected, nr.version_runs AS new_in_version_runs,
       round(nr.runs_affected / nr.version_runs, 4) AS new_in_runs_share,
       sp.spread
FROM s_problems p
JOIN per_version v ON v.library = p.library AND v.code = p.code AND v.trace_hash = p.trace_hash
JOIN daily d ON d.library = p.library AND d.code = p.code AND d.trace_hash = p.trace_hash
JOIN library_runs lr ON lr.library = p.library
JOIN spread sp ON sp.library = p.library AND sp.code = p.code AND sp.trace_hash = p.trace_hash
LEFT JOIN titles t ON t.library = p.library AND t.code = p.code
LEFT JOIN catalog_libraries cl ON cl.library = p.library
LEFT JOIN registered_titles rt ON rt.library = p.library AND rt.code = p.code
-- new-in / fixed-in are judged per code (per trace hash for uncoded problems): see summaries.sql.
LEFT JOIN new_in n ON n.library = p.library AND n.code = p.code AND n.trace_hash = CASE WHEN p.code = '' THEN p.trace_hash ELSE '' END
LEFT JOIN fixed_in f ON f.library = p.library AND f.code = p.code AND f.trace_hash = CASE WHEN p.code = '' THEN p.trace_hash ELSE '' END
LEFT JOIN new_in_runs nr ON nr.library = p.library AND nr.code = p.code AND nr.trace_hash = CASE WHEN p.code = '' THEN p.trace_hash ELSE '' END
ORDER BY p.library, p.level_rank DESC, p.runs_affected DESC, p.events DESC, p.code, p.trace_hash
