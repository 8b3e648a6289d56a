-- Schema version 8: each user's traffic per interface since the history
-- began, for counters that only ever grow (the Prometheus metrics).  Every
-- commit adds its rows here in the same transaction as the samples, so
-- retention (which moves samples into rollups and may drop old months)
-- never lowers them.  A database older than this schema starts from what
-- its retained rows hold (usage_finest: exact for the kept history).

CREATE TABLE totals (
	uid        INTEGER NOT NULL REFERENCES users (uid),
	iface_id   INTEGER NOT NULL REFERENCES interfaces (id),
	rx_bytes   INTEGER NOT NULL,
	rx_packets INTEGER NOT NULL,
	tx_bytes   INTEGER NOT NULL,
	tx_packets INTEGER NOT NULL,
	PRIMARY KEY (uid, iface_id)
) WITHOUT ROWID;

INSERT INTO totals (uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets)
SELECT uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets)
FROM usage_finest
GROUP BY uid, iface_id;
