-- One interval's traffic of one user on one interface.  Two kernel keys can
-- map to one interface row (an interface renamed mid-interval); they add up.
INSERT INTO samples (period_start, period_end, uid, iface_id,
		     rx_bytes, rx_packets, tx_bytes, tx_packets)
VALUES (:start, :end, :uid, :iface_id, :rx_bytes, :rx_packets, :tx_bytes, :tx_packets)
ON CONFLICT (period_end, uid, iface_id) DO UPDATE SET
	rx_bytes = samples.rx_bytes + excluded.rx_bytes,
	rx_packets = samples.rx_packets + excluded.rx_packets,
	tx_bytes = samples.tx_bytes + excluded.tx_bytes,
	tx_packets = samples.tx_packets + excluded.tx_packets;
