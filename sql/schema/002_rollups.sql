-- Schema version 2: hourly, daily and monthly rollups and the views admins
-- query.  Buckets are local-time hours, days and months (the daemon's time
-- zone, --tz); bucket_start is the UTC epoch second the bucket begins.
-- A sample belongs to the bucket that contains its last second.

CREATE TABLE rollups (
	resolution   TEXT NOT NULL CHECK (resolution IN ('hour', 'day', 'month')),
	bucket_start INTEGER NOT NULL,
	label        TEXT NOT NULL,      -- '2026-10-25T02:00+0200', '2026-10-25', '2026-10'
	uid          INTEGER NOT NULL REFERENCES users (uid),
	iface_id     INTEGER NOT NULL REFERENCES interfaces (id),
	rx_bytes     INTEGER NOT NULL,
	rx_packets   INTEGER NOT NULL,
	tx_bytes     INTEGER NOT NULL,
	tx_packets   INTEGER NOT NULL,
	PRIMARY KEY (resolution, bucket_start, uid, iface_id)
) WITHOUT ROWID;

-- Backfill from the samples of a version 1 database, in the process's
-- local time (the same rules the daemon applies to new samples).
INSERT INTO rollups
SELECT 'hour', b, strftime('%Y-%m-%dT%H:00', b, 'unixepoch', 'localtime') ||
	       printf('%+03d%02d', (strftime('%s', b, 'unixepoch', 'localtime') - b) / 3600,
		      abs((strftime('%s', b, 'unixepoch', 'localtime') - b) / 60 % 60)),
       uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets)
FROM (SELECT (period_end - 1) - strftime('%M', period_end - 1, 'unixepoch', 'localtime') * 60
	     - strftime('%S', period_end - 1, 'unixepoch', 'localtime') AS b, * FROM samples)
GROUP BY b, uid, iface_id;

INSERT INTO rollups
SELECT 'day', strftime('%s', period_end - 1, 'unixepoch', 'localtime', 'start of day', 'utc'),
       strftime('%Y-%m-%d', period_end - 1, 'unixepoch', 'localtime'),
       uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets)
FROM samples
GROUP BY 2, uid, iface_id;

INSERT INTO rollups
SELECT 'month', strftime('%s', period_end - 1, 'unixepoch', 'localtime', 'start of month', 'utc'),
       strftime('%Y-%m', period_end - 1, 'unixepoch', 'localtime'),
       uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets)
FROM samples
GROUP BY 2, uid, iface_id;

-- Per user per day / per month, all interfaces together: one-line answers.
--   sqlite3 /var/lib/pdtt/pdtt.db "SELECT * FROM usage_monthly WHERE month = '2026-10'"
CREATE VIEW usage_daily AS
SELECT r.label AS day, r.uid, u.name AS user,
       sum(r.rx_bytes) AS rx_bytes, sum(r.tx_bytes) AS tx_bytes,
       sum(r.rx_bytes + r.tx_bytes) AS total_bytes,
       sum(r.rx_packets + r.tx_packets) AS packets
FROM rollups r LEFT JOIN users u ON u.uid = r.uid
WHERE r.resolution = 'day'
GROUP BY r.bucket_start, r.uid
ORDER BY r.bucket_start, total_bytes DESC;

CREATE VIEW usage_monthly AS
SELECT r.label AS month, r.uid, u.name AS user,
       sum(r.rx_bytes) AS rx_bytes, sum(r.tx_bytes) AS tx_bytes,
       sum(r.rx_bytes + r.tx_bytes) AS total_bytes,
       sum(r.rx_packets + r.tx_packets) AS packets
FROM rollups r LEFT JOIN users u ON u.uid = r.uid
WHERE r.resolution = 'month'
GROUP BY r.bucket_start, r.uid
ORDER BY r.bucket_start, total_bytes DESC;
