-- The Prometheus counters: each user's lifetime totals (users), for the
-- users who moved data at or after :since (--metrics-active), by uid.
SELECT uid, name, rx_bytes, rx_packets, tx_bytes, tx_packets
FROM users
WHERE last_seen >= :since
ORDER BY uid;
