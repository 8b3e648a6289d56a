-- Usage against quotas: one row per user and quota kind, for the periods
-- given as [:day_from, :day_to), [:week_from, :week_to), [:month_from,
-- :month_to) (UTC epoch seconds; NULL skips that kind).  A user's own quota
-- overrides the default (uid NULL) of the same kind; under a default, only
-- users with traffic in the period are listed.  Periods are whole local
-- days, weeks and months, so the daily and monthly rollups (exact, and
-- read through their primary key) answer them without scanning samples.
WITH effective AS (
	SELECT uid, per, dir, limit_bytes, warn_pct, 0 AS is_default
	FROM quotas WHERE uid IS NOT NULL
	UNION ALL
	SELECT u.uid, d.per, d.dir, d.limit_bytes, d.warn_pct, 1
	FROM quotas d JOIN users u
	WHERE d.uid IS NULL
	  AND NOT EXISTS (SELECT 1 FROM quotas q WHERE q.uid = u.uid AND q.per = d.per)
),
periods (per, p_from, p_to) AS (
	VALUES ('day', :day_from, :day_to), ('week', :week_from, :week_to),
	       ('month', :month_from, :month_to)
)
SELECT e.uid, u.name, e.per, p.p_from, p.p_to, e.dir, e.limit_bytes, e.warn_pct, e.is_default,
       coalesce((SELECT sum(CASE e.dir WHEN 'rx' THEN r.rx_bytes WHEN 'tx' THEN r.tx_bytes
				       ELSE r.rx_bytes + r.tx_bytes END)
		 FROM rollups r
		 WHERE r.resolution = iif(e.per = 'month', 'month', 'day')
		   AND r.bucket_start >= p.p_from AND r.bucket_start < p.p_to
		   AND r.uid = e.uid), 0) AS used
FROM effective e
JOIN periods p ON p.per = e.per AND p.p_from IS NOT NULL
LEFT JOIN users u ON u.uid = e.uid
WHERE NOT e.is_default OR used > 0;
