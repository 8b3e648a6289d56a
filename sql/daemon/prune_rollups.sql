-- Retention: whole buckets of one resolution that start before the cutoff
-- (a boundary of the next coarser resolution, so no coarser bucket is ever
-- partly covered by a finer one).
DELETE FROM rollups WHERE resolution = :resolution AND bucket_start < :cutoff;
