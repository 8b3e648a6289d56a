-- --metrics-per-interface starts: the per-interface totals from the
-- retained history (run after clear_totals, in one transaction).
INSERT INTO totals (uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets)
SELECT uid, iface_id, sum(rx_bytes), sum(rx_packets), sum(tx_bytes), sum(tx_packets)
FROM usage_finest
GROUP BY uid, iface_id;
