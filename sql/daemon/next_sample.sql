-- The first sample ending after :after (a seek on the primary key), so
-- retention visits only the hours that hold samples.
SELECT min(period_end) FROM samples WHERE period_end > :after;
