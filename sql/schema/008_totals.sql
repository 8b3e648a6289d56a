-- Schema version 8: lifetime totals, for counters that only ever grow (the
-- Prometheus metrics).  Every commit adds its rows to its users' totals in
-- the same transaction as the samples (the users row is written anyway), so
-- retention, which moves samples into rollups and may drop old months,
-- never lowers them.  A database older than this schema starts from what
-- its retained rows hold (usage_finest: exact for the kept history).
ALTER TABLE users ADD COLUMN rx_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN rx_packets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN tx_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN tx_packets INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE migration_totals AS
SELECT uid, sum(rx_bytes) AS rx_bytes, sum(rx_packets) AS rx_packets,
       sum(tx_bytes) AS tx_bytes, sum(tx_packets) AS tx_packets
FROM usage_finest
GROUP BY uid;
UPDATE users SET rx_bytes = m.rx_bytes, rx_packets = m.rx_packets,
                 tx_bytes = m.tx_bytes, tx_packets = m.tx_packets
FROM migration_totals m
WHERE m.uid = users.uid;
DROP TABLE migration_totals;

-- The same per user and interface, kept only while a daemon runs with
-- --metrics-per-interface (meta 'interface_totals' = 1): each commit row
-- costs one more write.  When that starts, each row is raised to the
-- retained history's sum; without it the table is left as it is.
CREATE TABLE totals (
	uid        INTEGER NOT NULL REFERENCES users (uid),
	iface_id   INTEGER NOT NULL REFERENCES interfaces (id),
	rx_bytes   INTEGER NOT NULL,
	rx_packets INTEGER NOT NULL,
	tx_bytes   INTEGER NOT NULL,
	tx_packets INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,     -- end of the last commit with traffic here
	PRIMARY KEY (uid, iface_id)
) WITHOUT ROWID;
