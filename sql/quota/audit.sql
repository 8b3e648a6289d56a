-- Usage against quotas: one row per user and quota kind, for the periods
-- given as [:day_from, :day_to), [:week_from, :week_to), [:month_from,
-- :month_to) (UTC epoch seconds; NULL skips that kind).  A user's own quota
-- overrides the default (uid NULL) of the same kind; under a default, only
-- users with traffic in the period are listed.
--
-- Each period's usage is one aggregate over its rollups (GROUP BY uid): the
-- daily rollups for days and weeks, the monthly ones for months, read as a
-- range of the rollups' primary key (resolution, bucket_start, ...).  Periods
-- are whole local days, weeks and months, so those rollups are exact.  The
-- cost grows with the rows of the period, not with users x rows.
WITH periods (per, res, p_from, p_to) AS (
	VALUES ('day', 'day', :day_from, :day_to), ('week', 'day', :week_from, :week_to),
	       ('month', 'month', :month_from, :month_to)
),
used AS (
	SELECT p.per, p.p_from, p.p_to, r.uid,
	       sum(r.rx_bytes) AS rx, sum(r.tx_bytes) AS tx
	FROM periods p
	JOIN rollups r ON r.resolution = p.res
	              AND r.bucket_start >= p.p_from AND r.bucket_start < p.p_to
	WHERE p.p_from IS NOT NULL
	GROUP BY p.per, r.uid
),
effective (uid, per, p_from, p_to, dir, limit_bytes, warn_pct, is_default, rx, tx) AS (
	-- a user's own quota, listed with or without traffic
	SELECT q.uid, q.per, p.p_from, p.p_to, q.dir, q.limit_bytes, q.warn_pct, 0,
	       coalesce(g.rx, 0), coalesce(g.tx, 0)
	FROM quotas q
	JOIN periods p ON p.per = q.per AND p.p_from IS NOT NULL
	LEFT JOIN used g ON g.per = q.per AND g.uid = q.uid
	WHERE q.uid IS NOT NULL
	UNION ALL
	-- the default, for users with traffic and no quota of their own
	SELECT g.uid, d.per, g.p_from, g.p_to, d.dir, d.limit_bytes, d.warn_pct, 1, g.rx, g.tx
	FROM used g
	JOIN quotas d ON d.uid IS NULL AND d.per = g.per
	WHERE NOT EXISTS (SELECT 1 FROM quotas q WHERE q.uid = g.uid AND q.per = g.per)
)
SELECT e.uid, u.name, e.per, e.p_from, e.p_to, e.dir, e.limit_bytes, e.warn_pct, e.is_default,
       CASE e.dir WHEN 'rx' THEN e.rx WHEN 'tx' THEN e.tx ELSE e.rx + e.tx END AS used
FROM effective e
LEFT JOIN users u ON u.uid = e.uid
WHERE NOT e.is_default OR used > 0;
