-- Users by traffic over the window [:from, :to) (UTC epoch seconds), busiest
-- first, from the finest detail still kept (every row of samples and the rollups).
-- :top    number of users to list; NULL lists all
-- :uids   JSON array of uids to restrict to, e.g. '[1000,1001]'; NULL for all
-- :ifaces JSON array of interface names, e.g. '["eth0"]'; NULL for all
-- Run it in the sqlite3 shell (times are local with 'utc', UTC without):
--   sqlite3 -header -column /var/lib/pdtt/pdtt.db \
--     ".param set :from \"strftime('%s', '2026-10-03', 'utc')\"" \
--     ".param set :to \"strftime('%s', '2026-10-17', 'utc')\"" \
--     ".param set :top 10" ".read reports/top-users.sql"
-- How it runs: each table is read through its primary key over the window
-- (a sample's time is its last second: period_end - 1 in [from, to) is
-- period_end in (from, to]), summed per user, and only then joined to the
-- users table, once per user.  share_pct is rounded half up to 2 decimals,
-- as in the bucketed reports.
WITH rows (uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets) AS (
	SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM samples
	WHERE period_end > CAST(:from AS INTEGER) AND period_end <= CAST(:to AS INTEGER)
	UNION ALL
	SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM rollup_hour
	WHERE bucket_start >= CAST(:from AS INTEGER) AND bucket_start < CAST(:to AS INTEGER)
	UNION ALL
	SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM rollup_day
	WHERE bucket_start >= CAST(:from AS INTEGER) AND bucket_start < CAST(:to AS INTEGER)
	UNION ALL
	SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM rollup_month
	WHERE bucket_start >= CAST(:from AS INTEGER) AND bucket_start < CAST(:to AS INTEGER)
),
per_user AS (
	SELECT uid, sum(rx_bytes) AS rx_bytes, sum(tx_bytes) AS tx_bytes,
	       sum(rx_bytes + tx_bytes) AS total_bytes,
	       sum(rx_packets + tx_packets) AS packets
	FROM rows
	WHERE (:uids IS NULL OR uid IN (SELECT value FROM json_each(:uids)))
	  AND (:ifaces IS NULL OR iface_id IN
	       (SELECT id FROM interfaces WHERE name IN (SELECT value FROM json_each(:ifaces))))
	GROUP BY uid
)
SELECT NULL AS bucket, NULL AS bucket_start, u.name AS user, g.uid, g.rx_bytes, g.tx_bytes,
       g.total_bytes, g.packets,
       CAST(10000.0 * g.total_bytes / nullif(sum(g.total_bytes) OVER (), 0) + 0.5 AS INTEGER)
	    / 100.0 AS share_pct
FROM per_user g
LEFT JOIN users u ON u.uid = g.uid
ORDER BY g.total_bytes DESC, g.uid
LIMIT coalesce(CAST(:top AS INTEGER), -1);
