-- summary/trends: events (and the runs they come from) per library, day and level, all versions.
SELECT library, day, level, sum(events)::BIGINT AS events, count(DISTINCT run_key) AS runs
FROM p_level_days
GROUP BY library, day, level
ORDER BY library, day, CASE level WHEN 'DEBUG' THEN 1 WHEN 'INFO' THEN 2 WHEN 'WARNING' THEN 3 WHEN 'ERROR' THEN 4 ELSE 5 END
