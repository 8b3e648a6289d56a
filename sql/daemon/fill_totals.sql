-- --metrics-per-interface starts where the totals were not kept: each row
-- becomes the retained history's sum, or keeps its value where that is more
-- (retention dropped months since it was last kept), so no counter that was
-- exported before goes down.
INSERT INTO totals (uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets, last_seen)
SELECT uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets),
       max(coalesce(t_end, t + 1))
FROM usage_finest
WHERE true
GROUP BY uid, iface_id
ON CONFLICT (uid, iface_id) DO UPDATE SET
	rx_bytes = max(totals.rx_bytes, excluded.rx_bytes),
	rx_packets = max(totals.rx_packets, excluded.rx_packets),
	tx_bytes = max(totals.tx_bytes, excluded.tx_bytes),
	tx_packets = max(totals.tx_packets, excluded.tx_packets),
	last_seen = max(totals.last_seen, excluded.last_seen);
