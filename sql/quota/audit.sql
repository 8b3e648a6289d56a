-- Usage against quotas: one row per user and quota kind, for the periods
-- given as [:day_from, :day_to), [:week_from, :week_to), [:month_from,
-- :month_to) (UTC epoch seconds; NULL skips that kind).  A user's own quota
-- overrides the default (uid NULL) of the same kind and is listed even
-- without traffic; under a default, only users with traffic are listed.
--
-- Each period's usage is one aggregate (GROUP BY uid) over its rollups: the
-- daily ones for days and weeks, the monthly ones for months, read as a
-- range of the rollups' primary key (resolution, bucket_start, ...).
-- Periods are whole local days, weeks and months, so those rollups are
-- exact.  Own quotas join the aggregate as zero rows, so every quota is then
-- found through the quotas' own indexes: the cost grows with the rows of the
-- period and the number of quotas, never with their product.
WITH periods (per, res, p_from, p_to) AS (
	VALUES ('day', 'day', :day_from, :day_to), ('week', 'day', :week_from, :week_to),
	       ('month', 'month', :month_from, :month_to)
),
used (per, p_from, p_to, uid, rx, tx) AS (
	SELECT per, p_from, p_to, uid, sum(rx), sum(tx)
	FROM (
		SELECT p.per, p.p_from, p.p_to, r.uid, r.rx_bytes AS rx, r.tx_bytes AS tx
		FROM periods p
		JOIN rollups r ON r.resolution = p.res
		              AND r.bucket_start >= p.p_from AND r.bucket_start < p.p_to
		WHERE p.p_from IS NOT NULL
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
