-- Retention: samples that ended at or before the cutoff (an hour boundary),
-- after roll_samples.sql added them to their hours.
DELETE FROM samples WHERE period_end <= :cutoff;
