-- Schema version 3: one view over all retained detail, finest first.
-- Each row is one user's traffic on one interface over [t_start, t_end):
-- a sample where samples are still kept, else an hour, a day or a month
-- bucket.  Because retention prunes whole buckets of the next coarser
-- resolution (meta 'pruned_*_before'), the rows never overlap and never
-- leave a gap: sum over any aligned window is exact.
CREATE VIEW usage_finest AS
WITH cut AS (
	SELECT
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_samples_before'), -9223372036854775808) AS samples,
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_hourly_before'), -9223372036854775808) AS hourly,
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_daily_before'), -9223372036854775808) AS daily
)
SELECT 'sample' AS resolution, s.period_end - 1 AS t, s.period_start AS t_start, s.period_end AS t_end,
       s.uid, s.iface_id, s.rx_bytes, s.rx_packets, s.tx_bytes, s.tx_packets
FROM samples s
UNION ALL
SELECT r.resolution, r.bucket_start, r.bucket_start, NULL, r.uid, r.iface_id,
       r.rx_bytes, r.rx_packets, r.tx_bytes, r.tx_packets
FROM rollups r, cut
WHERE (r.resolution = 'hour' AND r.bucket_start < cut.samples)
   OR (r.resolution = 'day' AND r.bucket_start < cut.hourly)
   OR (r.resolution = 'month' AND r.bucket_start < cut.daily);
