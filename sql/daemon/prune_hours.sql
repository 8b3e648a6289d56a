-- Retention: hours before the cutoff (a day boundary), after roll_hours.sql
-- added them to their days.
DELETE FROM rollup_hour WHERE bucket_start < :cutoff;
