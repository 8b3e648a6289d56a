-- quota list: every quota, defaults first.
SELECT q.uid, u.name, q.per, q.dir, q.limit_bytes, q.warn_pct, q.updated
FROM quotas q LEFT JOIN users u ON u.uid = q.uid
ORDER BY q.uid IS NOT NULL, q.uid, CASE q.per WHEN 'day' THEN 1 WHEN 'week' THEN 2 ELSE 3 END;
