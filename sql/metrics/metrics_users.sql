-- The Prometheus counters: each user's lifetime totals (table totals), for
-- the users who moved data at or after :since (--metrics-active), by uid.
SELECT t.uid, u.name,
       sum(t.rx_bytes), sum(t.rx_packets), sum(t.tx_bytes), sum(t.tx_packets)
FROM totals t
JOIN users u ON u.uid = t.uid
WHERE u.last_seen >= :since
GROUP BY t.uid
ORDER BY t.uid;
