-- The Prometheus counters with --metrics-per-interface: each user's
-- lifetime totals per interface and network namespace that they used at or
-- after :since (a namespace gone for long adds no series), by uid, then
-- interface.
SELECT t.uid, u.name, i.name, i.netns,
       t.rx_bytes, t.rx_packets, t.tx_bytes, t.tx_packets
FROM totals t
JOIN users u ON u.uid = t.uid
JOIN interfaces i ON i.id = t.iface_id
WHERE t.last_seen >= :since
ORDER BY t.uid, i.name, i.netns;
