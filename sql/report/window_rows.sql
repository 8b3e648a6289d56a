-- The rows of one report bucket, clipped to the window: [:lo, :hi) in UTC
-- epoch seconds, from every table (each stretch of time is in exactly one).
-- 'report' runs it once per bucket and sums the rows per user itself; the
-- named reports in reports/ do the same in SQL and give the same rows.
-- A sample's time is its last second: period_end - 1 in [lo, hi) is
-- period_end in (lo, hi].  Each table is read through its primary key.
-- :uids   JSON array of uids, e.g. '[1000,1001]'; NULL for all
-- :ifaces JSON array of interface names, e.g. '["eth0"]'; NULL for all
SELECT uid, rx_bytes, tx_bytes, rx_packets + tx_packets
FROM (SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM samples
      WHERE period_end > :lo AND period_end <= :hi
      UNION ALL
      SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM rollup_hour
      WHERE bucket_start >= :lo AND bucket_start < :hi
      UNION ALL
      SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM rollup_day
      WHERE bucket_start >= :lo AND bucket_start < :hi
      UNION ALL
      SELECT uid, iface_id, rx_bytes, rx_packets, tx_bytes, tx_packets FROM rollup_month
      WHERE bucket_start >= :lo AND bucket_start < :hi)
WHERE (:uids IS NULL OR uid IN (SELECT value FROM json_each(:uids)))
  AND (:ifaces IS NULL OR iface_id IN
       (SELECT id FROM interfaces WHERE name IN (SELECT value FROM json_each(:ifaces))));
