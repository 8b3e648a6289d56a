-- Retention, first step: the samples whose last second (period_end - 1)
-- lies in [:from, :to), a part of the local hour starting at :bucket, are
-- added to that hour's rows.  The caller then deletes them in the same
-- transaction (prune_samples.sql), so the traffic moves, never doubles.
INSERT INTO rollup_hour (bucket_start, uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets)
SELECT :bucket, uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets)
FROM samples
WHERE period_end > :from AND period_end <= :to
GROUP BY uid, iface_id
ON CONFLICT (bucket_start, uid, iface_id) DO UPDATE SET
	rx_bytes = rollup_hour.rx_bytes + excluded.rx_bytes,
	rx_packets = rollup_hour.rx_packets + excluded.rx_packets,
	tx_bytes = rollup_hour.tx_bytes + excluded.tx_bytes,
	tx_packets = rollup_hour.tx_packets + excluded.tx_packets;
