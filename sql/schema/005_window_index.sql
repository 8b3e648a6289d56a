-- Schema version 5: a window over usage_finest reads only the samples in it.
-- A sample's time t is its last second, period_end - 1, which the primary
-- key (period_end, ...) cannot serve; an index on that expression can.  The
-- view states t as an INTEGER (CAST) so that comparisons with INTEGER
-- affinity, such as t >= CAST(:from AS INTEGER) in reports/*.sql, use the
-- index too, and a text bound ('1798156800') compares as a number.
-- The rollups' rows are found through their primary key (resolution,
-- bucket_start, ...), as before.
CREATE INDEX samples_by_t ON samples (CAST(period_end - 1 AS INTEGER));

DROP VIEW IF EXISTS usage_finest;
CREATE VIEW usage_finest AS
WITH cut AS (
	SELECT
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_samples_before'), -9223372036854775808) AS samples,
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_hourly_before'), -9223372036854775808) AS hourly,
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_daily_before'), -9223372036854775808) AS daily
)
SELECT 'sample' AS resolution, CAST(s.period_end - 1 AS INTEGER) AS t, s.period_start AS t_start,
       s.period_end AS t_end, s.uid, s.iface_id, s.rx_bytes, s.rx_packets, s.tx_bytes, s.tx_packets
FROM samples s
UNION ALL
SELECT r.resolution, r.bucket_start, r.bucket_start, NULL, r.uid, r.iface_id,
       r.rx_bytes, r.rx_packets, r.tx_bytes, r.tx_packets
FROM rollups r, cut
WHERE (r.resolution = 'hour' AND r.bucket_start < cut.samples)
   OR (r.resolution = 'day' AND r.bucket_start < cut.hourly)
   OR (r.resolution = 'month' AND r.bucket_start < cut.daily);
