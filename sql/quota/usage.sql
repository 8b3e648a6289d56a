-- Each user's received and sent bytes over [:from, :to) (UTC epoch seconds,
-- a whole local day, ISO week or month), from the rows whose time lies in
-- it: what audit.sql sums for one period.  Monthly rows count only when
-- :months is 1 (a month period).  The daemon reads this once per period and
-- at start, then adds each commit's rows itself.  Sorted by uid.
SELECT uid, sum(rx), sum(tx)
FROM (
	SELECT s.uid, s.rx_bytes AS rx, s.tx_bytes AS tx
	FROM samples s
	WHERE s.period_end > :from AND s.period_end <= :to
	UNION ALL
	SELECT h.uid, h.rx_bytes, h.tx_bytes
	FROM rollup_hour h WHERE h.bucket_start >= :from AND h.bucket_start < :to
	UNION ALL
	SELECT d.uid, d.rx_bytes, d.tx_bytes
	FROM rollup_day d WHERE d.bucket_start >= :from AND d.bucket_start < :to
	UNION ALL
	SELECT m.uid, m.rx_bytes, m.tx_bytes
	FROM rollup_month m WHERE :months AND m.bucket_start >= :from AND m.bucket_start < :to
)
GROUP BY uid
ORDER BY uid;
