-- The kernel's cumulative counters for one key as of the committed sample.
INSERT INTO baseline (uid, netns_cookie, ifindex, rx_bytes, rx_packets, tx_bytes, tx_packets)
VALUES (:uid, :netns_cookie, :ifindex, :rx_bytes, :rx_packets, :tx_bytes, :tx_packets)
ON CONFLICT (uid, netns_cookie, ifindex) DO UPDATE SET
	rx_bytes = excluded.rx_bytes,
	rx_packets = excluded.rx_packets,
	tx_bytes = excluded.tx_bytes,
	tx_packets = excluded.tx_packets;
