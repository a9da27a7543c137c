-- summary/trends: events per library, day and level (all versions).
SELECT library, day, level, sum(events)::BIGINT AS events
FROM p_level_days
GROUP BY library, day, level
ORDER BY library, day, CASE level WHEN 'DEBUG' THEN 1 WHEN 'INFO' THEN 2 WHEN 'WARNING' THEN 3 WHEN 'ERROR' THEN 4 ELSE 5 END
