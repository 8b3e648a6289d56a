-- Traffic per user per day over the window [:from, :to) (UTC epoch seconds),
-- from the finest detail still kept.  Buckets are in the local time zone
-- (the TZ environment variable), or in UTC when :utc is 1.
-- Each bucket lists its users busiest first; share_pct is the user's share
-- of the whole window.
-- :top    users per bucket; NULL lists all
-- :uids   JSON array of uids, e.g. '[1000,1001]'; NULL for all
-- :ifaces JSON array of interface names, e.g. '["eth0"]'; NULL for all
-- Run it in the sqlite3 shell:
--   sqlite3 -header -column /var/lib/pdtt/pdtt.db \
--     ".param set :from \"strftime('%s', '2026-10-01', 'utc')\"" \
--     ".param set :to \"strftime('%s', '2026-11-01', 'utc')\"" ".read reports/daily.sql"
-- How it runs: the window's buckets come first, each found once with
-- SQLite's date functions (a bucket ends where the one holding its start +
-- 30 hours begins); then each table is read once per bucket through its
-- primary key (CROSS JOIN keeps the buckets the outer loop), so no row
-- needs a date function of its own.  A sample's time
-- is its last second: period_end - 1 in [lo, hi) is period_end in (lo, hi].
-- Every row is in exactly one table.
WITH RECURSIVE
first (bucket_start) AS (
	SELECT iif(coalesce(:utc, 0),
		   (CAST(:from AS INTEGER)) - (CAST(:from AS INTEGER)) % 86400,
		   (SELECT s + 3600 * (date(s, 'unixepoch', 'localtime') <> date((CAST(:from AS INTEGER)), 'unixepoch', 'localtime'))
		    FROM (SELECT CAST(strftime('%s', (CAST(:from AS INTEGER)), 'unixepoch', 'localtime', 'start of day', 'utc') AS INTEGER) AS s)))
),
buckets (bucket_start, bucket_end, off) AS (
	SELECT bucket_start,
	       max(iif(coalesce(:utc, 0),
		   (bucket_start + 108000) - (bucket_start + 108000) % 86400,
		   (SELECT s + 3600 * (date(s, 'unixepoch', 'localtime') <> date((bucket_start + 108000), 'unixepoch', 'localtime'))
		    FROM (SELECT CAST(strftime('%s', (bucket_start + 108000), 'unixepoch', 'localtime', 'start of day', 'utc') AS INTEGER) AS s))),
		   bucket_start + 1800),
	       iif(coalesce(:utc, 0), 0, strftime('%s', bucket_start, 'unixepoch', 'localtime') - bucket_start)
	FROM first
	UNION ALL
	SELECT bucket_end,
	       max(iif(coalesce(:utc, 0),
		   (bucket_end + 108000) - (bucket_end + 108000) % 86400,
		   (SELECT s + 3600 * (date(s, 'unixepoch', 'localtime') <> date((bucket_end + 108000), 'unixepoch', 'localtime'))
		    FROM (SELECT CAST(strftime('%s', (bucket_end + 108000), 'unixepoch', 'localtime', 'start of day', 'utc') AS INTEGER) AS s))),
		   bucket_end + 1800),
	       iif(coalesce(:utc, 0), 0, strftime('%s', bucket_end, 'unixepoch', 'localtime') - bucket_end)
	FROM buckets
	WHERE bucket_end < CAST(:to AS INTEGER)
),
rows (bucket_start, off, uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets) AS NOT MATERIALIZED (
	SELECT b.bucket_start, b.off, s.uid, s.iface_id,
	       s.rx_bytes, s.rx_packets, s.tx_bytes, s.tx_packets
	FROM buckets b CROSS JOIN samples s
	  ON s.period_end > max(b.bucket_start, CAST(:from AS INTEGER))
	 AND s.period_end <= min(b.bucket_end, CAST(:to AS INTEGER))
	UNION ALL
	SELECT b.bucket_start, b.off, h.uid, h.iface_id,
	       h.rx_bytes, h.rx_packets, h.tx_bytes, h.tx_packets
	FROM buckets b CROSS JOIN rollup_hour h
	  ON h.bucket_start >= max(b.bucket_start, CAST(:from AS INTEGER))
	 AND h.bucket_start < min(b.bucket_end, CAST(:to AS INTEGER))
	UNION ALL
	SELECT b.bucket_start, b.off, d.uid, d.iface_id,
	       d.rx_bytes, d.rx_packets, d.tx_bytes, d.tx_packets
	FROM buckets b CROSS JOIN rollup_day d
	  ON d.bucket_start >= max(b.bucket_start, CAST(:from AS INTEGER))
	 AND d.bucket_start < min(b.bucket_end, CAST(:to AS INTEGER))
	UNION ALL
	SELECT b.bucket_start, b.off, m.uid, m.iface_id,
	       m.rx_bytes, m.rx_packets, m.tx_bytes, m.tx_packets
	FROM buckets b CROSS JOIN rollup_month m
	  ON m.bucket_start >= max(b.bucket_start, CAST(:from AS INTEGER))
	 AND m.bucket_start < min(b.bucket_end, CAST(:to AS INTEGER))
),
-- The rows the filters keep.  Read twice (per user, and for the window's
-- total), not stored: reading is cheaper than a temporary table here.
kept AS NOT MATERIALIZED (
	SELECT * FROM rows
	WHERE (:uids IS NULL OR uid IN (SELECT value FROM json_each(:uids)))
	  AND (:ifaces IS NULL OR iface_id IN
	       (SELECT id FROM interfaces WHERE name IN (SELECT value FROM json_each(:ifaces))))
),
per_user AS NOT MATERIALIZED (
	SELECT bucket_start, off, uid,
	       sum(rx_bytes) AS rx_bytes, sum(tx_bytes) AS tx_bytes,
	       sum(rx_bytes + tx_bytes) AS total_bytes,
	       sum(rx_packets + tx_packets) AS packets
	FROM kept
	GROUP BY bucket_start, uid
),
-- Every user of every bucket, or with :top the busiest of each (ranking
-- costs a sort, so it runs only then).
listed AS (
	SELECT * FROM per_user WHERE :top IS NULL
	UNION ALL
	SELECT bucket_start, off, uid, rx_bytes, tx_bytes, total_bytes, packets
	FROM (SELECT *,
		     row_number() OVER (PARTITION BY bucket_start ORDER BY total_bytes DESC, uid) AS rank
	      FROM per_user WHERE :top IS NOT NULL)
	WHERE rank <= CAST(:top AS INTEGER)
)
-- Labels from the bucket's start and UTC offset, without a time zone
-- lookup per row; share_pct rounded half up to 2 decimals from the same
-- double round() would see (SQLite's round() formats a string per call).
SELECT date(p.bucket_start + p.off, 'unixepoch') AS bucket,
       p.bucket_start, u.name AS user, p.uid, p.rx_bytes, p.tx_bytes, p.total_bytes, p.packets,
       CAST(10000.0 * p.total_bytes / (SELECT nullif(sum(rx_bytes + tx_bytes), 0) FROM kept) + 0.5
	    AS INTEGER) / 100.0 AS share_pct
FROM listed p
LEFT JOIN users u ON u.uid = p.uid
ORDER BY p.bucket_start, p.total_bytes DESC, p.uid;
