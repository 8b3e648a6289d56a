-- Retention: samples that ended at or before the cutoff (an hour boundary).
DELETE FROM samples WHERE period_end <= :cutoff;
