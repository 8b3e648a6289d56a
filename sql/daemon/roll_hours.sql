-- Retention, second step: the hourly rows in [:from, :to), a part of the
-- local day starting at :bucket, are added to that day's rows; the caller deletes them in the same
-- transaction (prune_hours.sql).
INSERT INTO rollup_day (bucket_start, uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets)
SELECT :bucket, uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets)
FROM rollup_hour
WHERE bucket_start >= :from AND bucket_start < :to
GROUP BY uid, iface_id
ON CONFLICT (bucket_start, uid, iface_id) DO UPDATE SET
	rx_bytes = rollup_day.rx_bytes + excluded.rx_bytes,
	rx_packets = rollup_day.rx_packets + excluded.rx_packets,
	tx_bytes = rollup_day.tx_bytes + excluded.tx_bytes,
	tx_packets = rollup_day.tx_packets + excluded.tx_packets;
