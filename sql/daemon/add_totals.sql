-- One commit row added to its user's and interface's lifetime totals (with
-- --metrics-per-interface; same transaction as its sample).
INSERT INTO totals (uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets, last_seen)
VALUES (:uid, :iface_id, :rx_bytes, :rx_packets, :tx_bytes, :tx_packets, :end)
ON CONFLICT (uid, iface_id) DO UPDATE SET
	rx_bytes = totals.rx_bytes + excluded.rx_bytes,
	rx_packets = totals.rx_packets + excluded.rx_packets,
	tx_bytes = totals.tx_bytes + excluded.tx_bytes,
	tx_packets = totals.tx_packets + excluded.tx_packets,
	last_seen = max(totals.last_seen, excluded.last_seen);
