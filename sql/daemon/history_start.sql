-- Where the history begins, from what is still stored: the oldest row of
-- the finest resolution that retention never pruned (samples, then hourly,
-- daily, monthly rollups), so the start is as exact as the data allows.
-- Each lookup is a seek on a primary key, never a scan.  NULL: no data.
SELECT coalesce(
	iif(NOT EXISTS (SELECT 1 FROM meta WHERE key = 'pruned_samples_before'),
	    (SELECT period_start FROM samples
	     WHERE period_end = (SELECT min(period_end) FROM samples) LIMIT 1), NULL),
	iif(NOT EXISTS (SELECT 1 FROM meta WHERE key = 'pruned_hourly_before'),
	    (SELECT min(bucket_start) FROM rollup_hour), NULL),
	iif(NOT EXISTS (SELECT 1 FROM meta WHERE key = 'pruned_daily_before'),
	    (SELECT min(bucket_start) FROM rollup_day), NULL),
	(SELECT min(bucket_start) FROM rollup_month));
