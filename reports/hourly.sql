-- Traffic per user per hour (local ones carry their UTC offset, so the repeated hour at a DST change stays apart) over the window [:from, :to) (UTC epoch seconds),
-- from the finest detail still kept (view usage_finest).  Buckets are in the
-- local time zone (the TZ environment variable), or in UTC when :utc is 1.
-- Each bucket lists its users busiest first; share_pct is the user's share
-- of the whole window.
-- :top    users per bucket; NULL lists all
-- :uids   JSON array of uids, e.g. '[1000,1001]'; NULL for all
-- :ifaces JSON array of interface names, e.g. '["eth0"]'; NULL for all
-- Run it in the sqlite3 shell:
--   sqlite3 -header -column /var/lib/pdtt/pdtt.db \
--     ".param set :from \"strftime('%s', '2026-10-01', 'utc')\"" \
--     ".param set :to \"strftime('%s', '2026-11-01', 'utc')\"" ".read reports/hourly.sql"
SELECT bucket, bucket_start, user, uid, rx_bytes, tx_bytes, total_bytes, packets,
       round(100.0 * total_bytes / nullif(window_total, 0), 2) AS share_pct
FROM (
	SELECT *,
	       row_number() OVER (PARTITION BY bucket_start ORDER BY total_bytes DESC, uid) AS rank,
	       sum(total_bytes) OVER () AS window_total
	FROM (
		SELECT iif(coalesce(:utc, 0), strftime('%Y-%m-%dT%H:00+0000', f.t, 'unixepoch'), strftime('%Y-%m-%dT%H:00', f.t, 'unixepoch', 'localtime') || printf('%+03d%02d', (strftime('%s', f.t, 'unixepoch', 'localtime') - f.t) / 3600, abs((strftime('%s', f.t, 'unixepoch', 'localtime') - f.t) / 60 % 60))) AS bucket,
		       iif(coalesce(:utc, 0), f.t - f.t % 3600, f.t - strftime('%M', f.t, 'unixepoch', 'localtime') * 60 - strftime('%S', f.t, 'unixepoch', 'localtime')) AS bucket_start,
		       u.name AS user, f.uid,
		       sum(f.rx_bytes) AS rx_bytes, sum(f.tx_bytes) AS tx_bytes,
		       sum(f.rx_bytes + f.tx_bytes) AS total_bytes,
		       sum(f.rx_packets + f.tx_packets) AS packets
		FROM usage_finest f LEFT JOIN users u ON u.uid = f.uid
		WHERE f.t >= CAST(:from AS INTEGER) AND f.t < CAST(:to AS INTEGER)
		  AND (:uids IS NULL OR f.uid IN (SELECT value FROM json_each(:uids)))
		  AND (:ifaces IS NULL OR f.iface_id IN
		       (SELECT id FROM interfaces WHERE name IN (SELECT value FROM json_each(:ifaces))))
		GROUP BY 2, f.uid
	)
)
WHERE :top IS NULL OR rank <= CAST(:top AS INTEGER)
ORDER BY bucket_start, total_bytes DESC, uid;
