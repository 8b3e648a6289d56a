-- Retention: months before the cutoff.  Nothing coarser keeps them: this
-- is the only step that deletes traffic (monthly=forever by default).
DELETE FROM rollup_month WHERE bucket_start < :cutoff;
