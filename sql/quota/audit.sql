-- Usage against quotas: one row per user and quota kind, for the periods
-- given as [:day_from, :day_to), [:week_from, :week_to), [:month_from,
-- :month_to) (UTC epoch seconds; NULL skips that kind).  A user's own quota
-- overrides the default (uid NULL) of the same kind and is listed even
-- without traffic; under a default, only users with traffic are listed.
--
-- Each period's usage is one aggregate (GROUP BY uid) over the rows whose
-- time lies in it, read once per period kind through each table's primary
-- key (a sample's time is its last second: period_end - 1 in [from, to) is
-- period_end in (from, to]).  CROSS JOIN keeps the periods the outer loop,
-- so each table is searched by range, never scanned.  Periods are whole local days,
-- weeks and months, so the hourly and daily rows are exact; a month kept
-- only as a monthly total counts for month quotas, not for the days and
-- weeks in it.  Own quotas join the aggregate as zero rows, so every quota
-- is then found through the quotas' own indexes: the cost grows with the
-- rows of the period and the number of quotas, never with their product.
WITH periods (per, p_from, p_to) AS (
	VALUES ('day', :day_from, :day_to), ('week', :week_from, :week_to),
	       ('month', :month_from, :month_to)
),
used (per, p_from, p_to, uid, rx, tx) AS (
	SELECT per, p_from, p_to, uid, sum(rx), sum(tx)
	FROM (
		SELECT p.per, p.p_from, p.p_to, s.uid, s.rx_bytes AS rx, s.tx_bytes AS tx
		FROM periods p
		CROSS JOIN samples s ON s.period_end > p.p_from AND s.period_end <= p.p_to
		WHERE p.p_from IS NOT NULL
		UNION ALL
		SELECT p.per, p.p_from, p.p_to, h.uid, h.rx_bytes, h.tx_bytes
		FROM periods p
		CROSS JOIN rollup_hour h ON h.bucket_start >= p.p_from AND h.bucket_start < p.p_to
		WHERE p.p_from IS NOT NULL
		UNION ALL
		SELECT p.per, p.p_from, p.p_to, d.uid, d.rx_bytes, d.tx_bytes
		FROM periods p
		CROSS JOIN rollup_day d ON d.bucket_start >= p.p_from AND d.bucket_start < p.p_to
		WHERE p.p_from IS NOT NULL
		UNION ALL
		SELECT p.per, p.p_from, p.p_to, m.uid, m.rx_bytes, m.tx_bytes
		FROM periods p
		CROSS JOIN rollup_month m ON m.bucket_start >= p.p_from AND m.bucket_start < p.p_to
		WHERE p.p_from IS NOT NULL AND p.per = 'month'
		UNION ALL
		SELECT p.per, p.p_from, p.p_to, q.uid, 0, 0
		FROM quotas q
		JOIN periods p ON p.per = q.per AND p.p_from IS NOT NULL
		WHERE q.uid IS NOT NULL
	)
	GROUP BY per, uid
)
SELECT g.uid, u.name, g.per, g.p_from, g.p_to,
       coalesce(own.dir, def.dir) AS dir,
       coalesce(own.limit_bytes, def.limit_bytes) AS limit_bytes,
       coalesce(own.warn_pct, def.warn_pct) AS warn_pct,
       own.uid IS NULL AS is_default,
       CASE coalesce(own.dir, def.dir) WHEN 'rx' THEN g.rx WHEN 'tx' THEN g.tx
	    ELSE g.rx + g.tx END AS used_bytes
FROM used g
LEFT JOIN quotas own ON own.uid = g.uid AND own.per = g.per
LEFT JOIN quotas def ON def.uid IS NULL AND def.per = g.per AND own.uid IS NULL
LEFT JOIN users u ON u.uid = g.uid
WHERE own.uid IS NOT NULL
   OR (def.per IS NOT NULL AND u.uid IS NOT NULL AND used_bytes > 0);
