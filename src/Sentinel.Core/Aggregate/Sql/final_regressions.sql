-- summary/regressions: new-in, fixed-in and performance findings with their evidence.
SELECT r.library, r.kind, r.status, r.version, r.from_version,
       nullif(r.code, '') AS code, nullif(r.trace_hash, '') AS trace_hash, r.function, r.level,
       r.ratio, r.p_value, r.runs_before, r.runs_after, r.before_value, r.after_value, r.expected, r.observed,
       r.reason
FROM regressions r
LEFT JOIN version_order o ON o.library = r.library AND o.version = r.version
ORDER BY r.library, r.kind, o.rank, r.status, r.function, r.code, r.trace_hash
