-- Retention: days before the cutoff (a month boundary), after roll_days.sql
-- added them to their months.
DELETE FROM rollup_day WHERE bucket_start < :cutoff;
