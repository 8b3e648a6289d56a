-- Schema version 6: every stretch of traffic is stored once, at one
-- resolution.  Samples are the finest detail; when retention lets them go
-- they are summed into hourly rows, hourly rows into daily ones, daily into
-- monthly ones (src/store/store.c, pdtt_store_prune), in one transaction each
-- time, so a coarser total never changes.  A rollup row is written once, by
-- that roll-up, not by every commit: the interval's commit is the samples
-- and the baseline alone.
--
-- Rollup tables have one per resolution and integer keys: bucket_start is
-- the UTC epoch second the local hour, day or month begins (the daemon's
-- time zone, --tz).  Labels such as '2026-10-25' are derived when reading
-- (views below, reports/*.sql).
--
-- Migration from version 5: the rollup rows the finer data still covered
-- are derived data and are dropped (the samples and finer rollups they were
-- summed from stay); the rest move to the new tables unchanged.  The
-- meta marks 'pruned_<resolution>_before' keep their meaning: before
-- pruned_samples_before only hours (or coarser) exist, and so on.

DROP VIEW IF EXISTS usage_daily;
DROP VIEW IF EXISTS usage_monthly;
DROP VIEW IF EXISTS usage_finest;

CREATE TABLE rollup_hour (
	bucket_start INTEGER NOT NULL,   -- start of the local hour (UTC epoch seconds)
	uid          INTEGER NOT NULL REFERENCES users (uid),
	iface_id     INTEGER NOT NULL REFERENCES interfaces (id),
	rx_bytes     INTEGER NOT NULL,
	rx_packets   INTEGER NOT NULL,
	tx_bytes     INTEGER NOT NULL,
	tx_packets   INTEGER NOT NULL,
	PRIMARY KEY (bucket_start, uid, iface_id)
) WITHOUT ROWID;

CREATE TABLE rollup_day (
	bucket_start INTEGER NOT NULL,   -- local midnight (UTC epoch seconds)
	uid          INTEGER NOT NULL REFERENCES users (uid),
	iface_id     INTEGER NOT NULL REFERENCES interfaces (id),
	rx_bytes     INTEGER NOT NULL,
	rx_packets   INTEGER NOT NULL,
	tx_bytes     INTEGER NOT NULL,
	tx_packets   INTEGER NOT NULL,
	PRIMARY KEY (bucket_start, uid, iface_id)
) WITHOUT ROWID;

CREATE TABLE rollup_month (
	bucket_start INTEGER NOT NULL,   -- local midnight of the 1st (UTC epoch seconds)
	uid          INTEGER NOT NULL REFERENCES users (uid),
	iface_id     INTEGER NOT NULL REFERENCES interfaces (id),
	rx_bytes     INTEGER NOT NULL,
	rx_packets   INTEGER NOT NULL,
	tx_bytes     INTEGER NOT NULL,
	tx_packets   INTEGER NOT NULL,
	PRIMARY KEY (bucket_start, uid, iface_id)
) WITHOUT ROWID;

-- Where each resolution stops being covered by a finer one: the meta marks
-- retention wrote; where one is missing (files pruned before the marks were
-- kept), the bucket holding the finer data's first row, so a rollup is
-- dropped only where finer rows hold the same traffic.
CREATE TEMP TABLE migration_cut AS
WITH first (sample_t, hour_t, day_t) AS (
	SELECT (SELECT min(period_end) - 1 FROM samples),
	       (SELECT min(bucket_start) FROM rollups WHERE resolution = 'hour'),
	       (SELECT min(bucket_start) FROM rollups WHERE resolution = 'day')
),
finer (below_hour, below_day, below_month) AS (
	SELECT sample_t,
	       nullif(min(coalesce(sample_t, 9223372036854775807), coalesce(hour_t, 9223372036854775807)), 9223372036854775807),
	       nullif(min(coalesce(sample_t, 9223372036854775807), coalesce(hour_t, 9223372036854775807), coalesce(day_t, 9223372036854775807)), 9223372036854775807)
	FROM first
)
SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_samples_before'),
		(SELECT max(bucket_start) FROM rollups WHERE resolution = 'hour' AND bucket_start <= below_hour),
		below_hour, 9223372036854775807) AS samples,
       coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_hourly_before'),
		(SELECT max(bucket_start) FROM rollups WHERE resolution = 'day' AND bucket_start <= below_day),
		below_day, 9223372036854775807) AS hourly,
       coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_daily_before'),
		(SELECT max(bucket_start) FROM rollups WHERE resolution = 'month' AND bucket_start <= below_month),
		below_month, 9223372036854775807) AS daily
FROM finer;

INSERT INTO rollup_hour
SELECT bucket_start, uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets
FROM rollups
WHERE resolution = 'hour' AND bucket_start < (SELECT samples FROM migration_cut);

INSERT INTO rollup_day
SELECT bucket_start, uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets
FROM rollups
WHERE resolution = 'day' AND bucket_start < (SELECT hourly FROM migration_cut);

INSERT INTO rollup_month
SELECT bucket_start, uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets
FROM rollups
WHERE resolution = 'month' AND bucket_start < (SELECT daily FROM migration_cut);

-- A file pruned before the marks were kept gets them where coarser rows
-- were kept below the derived cut, so reports say which detail is coarser.
INSERT INTO meta (key, value)
SELECT 'pruned_samples_before', samples FROM migration_cut
WHERE samples < 9223372036854775807 AND EXISTS (SELECT 1 FROM rollup_hour)
  AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'pruned_samples_before');
INSERT INTO meta (key, value)
SELECT 'pruned_hourly_before', hourly FROM migration_cut
WHERE hourly < 9223372036854775807 AND EXISTS (SELECT 1 FROM rollup_day)
  AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'pruned_hourly_before');
INSERT INTO meta (key, value)
SELECT 'pruned_daily_before', daily FROM migration_cut
WHERE daily < 9223372036854775807 AND EXISTS (SELECT 1 FROM rollup_month)
  AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'pruned_daily_before');

DROP TABLE migration_cut;

DROP TABLE rollups;
-- A sample is one b-tree write: reports, the audit and retention find the
-- samples of a window through the primary key (period_end, ...), bounding
-- period_end itself (t in [lo, hi) is period_end in (lo, hi]), so neither
-- index is needed.
DROP INDEX IF EXISTS samples_by_uid;
DROP INDEX IF EXISTS samples_by_t;

-- All history, each row once: a sample, or an hour, day or month bucket.
-- t is the row's time for windows: a sample's last second, a bucket's
-- start.  Sum over any window aligned to the rows' buckets is exact.  For
-- speed over long sample histories, bound t_end as well (a sample's t_end
-- is period_end, a primary key): reports/*.sql read the tables directly.
CREATE VIEW usage_finest AS
SELECT 'sample' AS resolution, CAST(s.period_end - 1 AS INTEGER) AS t, s.period_start AS t_start,
       s.period_end AS t_end, s.uid, s.iface_id, s.rx_bytes, s.rx_packets, s.tx_bytes, s.tx_packets
FROM samples s
UNION ALL
SELECT 'hour', h.bucket_start, h.bucket_start, NULL, h.uid, h.iface_id,
       h.rx_bytes, h.rx_packets, h.tx_bytes, h.tx_packets
FROM rollup_hour h
UNION ALL
SELECT 'day', d.bucket_start, d.bucket_start, NULL, d.uid, d.iface_id,
       d.rx_bytes, d.rx_packets, d.tx_bytes, d.tx_packets
FROM rollup_day d
UNION ALL
SELECT 'month', m.bucket_start, m.bucket_start, NULL, m.uid, m.iface_id,
       m.rx_bytes, m.rx_packets, m.tx_bytes, m.tx_packets
FROM rollup_month m;

-- Per user per local day / month (the time zone of the process reading
-- them: TZ in the sqlite3 shell), all interfaces together:
--   sqlite3 /var/lib/pdtt/pdtt.db "SELECT * FROM usage_monthly WHERE month = '2026-10'"
-- usage_daily leaves out months kept only as monthly totals.
CREATE VIEW usage_daily AS
SELECT g.day, g.uid, u.name AS user, g.rx_bytes, g.tx_bytes, g.total_bytes, g.packets
FROM (SELECT date(f.t, 'unixepoch', 'localtime') AS day, f.uid,
	     sum(f.rx_bytes) AS rx_bytes, sum(f.tx_bytes) AS tx_bytes,
	     sum(f.rx_bytes + f.tx_bytes) AS total_bytes,
	     sum(f.rx_packets + f.tx_packets) AS packets
      FROM usage_finest f WHERE f.resolution <> 'month'
      GROUP BY day, f.uid) g
LEFT JOIN users u ON u.uid = g.uid
ORDER BY g.day, g.total_bytes DESC, g.uid;

CREATE VIEW usage_monthly AS
SELECT g.month, g.uid, u.name AS user, g.rx_bytes, g.tx_bytes, g.total_bytes, g.packets
FROM (SELECT strftime('%Y-%m', f.t, 'unixepoch', 'localtime') AS month, f.uid,
	     sum(f.rx_bytes) AS rx_bytes, sum(f.tx_bytes) AS tx_bytes,
	     sum(f.rx_bytes + f.tx_bytes) AS total_bytes,
	     sum(f.rx_packets + f.tx_packets) AS packets
      FROM usage_finest f
      GROUP BY month, f.uid) g
LEFT JOIN users u ON u.uid = g.uid
ORDER BY g.month, g.total_bytes DESC, g.uid;
