-- Users by traffic over the window [:from, :to) (UTC epoch seconds), busiest
-- first, from the finest detail still kept (view usage_finest).
-- :top    number of users to list; NULL lists all
-- :uids   JSON array of uids to restrict to, e.g. '[1000,1001]'; NULL for all
-- :ifaces JSON array of interface names, e.g. '["eth0"]'; NULL for all
-- Run it in the sqlite3 shell (times are local with 'utc', UTC without):
--   sqlite3 -header -column /var/lib/pdtt/pdtt.db \
--     ".param set :from \"strftime('%s', '2026-10-03', 'utc')\"" \
--     ".param set :to \"strftime('%s', '2026-10-17', 'utc')\"" \
--     ".param set :top 10" ".read reports/top-users.sql"
SELECT NULL AS bucket, NULL AS bucket_start, u.name AS user, g.uid, g.rx_bytes, g.tx_bytes,
       g.total_bytes, g.packets,
       round(100.0 * g.total_bytes / nullif(sum(g.total_bytes) OVER (), 0), 2) AS share_pct
FROM (
	-- Summed per user first, so the users table is read once per user.
	SELECT f.uid, sum(f.rx_bytes) AS rx_bytes, sum(f.tx_bytes) AS tx_bytes,
	       sum(f.rx_bytes + f.tx_bytes) AS total_bytes,
	       sum(f.rx_packets + f.tx_packets) AS packets
	FROM usage_finest f
	WHERE f.t >= CAST(:from AS INTEGER) AND f.t < CAST(:to AS INTEGER)
	  AND (:uids IS NULL OR f.uid IN (SELECT value FROM json_each(:uids)))
	  AND (:ifaces IS NULL OR f.iface_id IN
	       (SELECT id FROM interfaces WHERE name IN (SELECT value FROM json_each(:ifaces))))
	GROUP BY f.uid
) g
LEFT JOIN users u ON u.uid = g.uid
ORDER BY g.total_bytes DESC, g.uid
LIMIT coalesce(CAST(:top AS INTEGER), -1);
