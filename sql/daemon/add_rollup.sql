-- Adds a sample to its hour, day or month bucket.
INSERT INTO rollups (resolution, bucket_start, label, uid, iface_id,
		     rx_bytes, rx_packets, tx_bytes, tx_packets)
VALUES (:resolution, :bucket_start, :label, :uid, :iface_id,
	:rx_bytes, :rx_packets, :tx_bytes, :tx_packets)
ON CONFLICT (resolution, bucket_start, uid, iface_id) DO UPDATE SET
	rx_bytes = rollups.rx_bytes + excluded.rx_bytes,
	rx_packets = rollups.rx_packets + excluded.rx_packets,
	tx_bytes = rollups.tx_bytes + excluded.tx_bytes,
	tx_packets = rollups.tx_packets + excluded.tx_packets;
