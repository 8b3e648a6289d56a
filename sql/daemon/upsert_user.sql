-- A user seen in a committed sample, with what this commit adds to its
-- lifetime totals.  The name is refreshed; a NULL name (no passwd entry any
-- more) keeps the one seen before.
INSERT INTO users (uid, name, first_seen, last_seen, rx_bytes, rx_packets, tx_bytes, tx_packets)
VALUES (:uid, :name, :seen, :seen, :rx_bytes, :rx_packets, :tx_bytes, :tx_packets)
ON CONFLICT (uid) DO UPDATE SET
	name = coalesce(excluded.name, users.name),
	last_seen = max(users.last_seen, excluded.last_seen),
	rx_bytes = users.rx_bytes + excluded.rx_bytes,
	rx_packets = users.rx_packets + excluded.rx_packets,
	tx_bytes = users.tx_bytes + excluded.tx_bytes,
	tx_packets = users.tx_packets + excluded.tx_packets;
