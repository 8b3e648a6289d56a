-- Where the history begins ('first_start'), for a database written before
-- the mark was kept: its oldest sample or rollup bucket (run at start).
INSERT OR IGNORE INTO meta (key, value)
SELECT 'first_start', min(t) FROM (
	SELECT min(period_start) AS t FROM samples
	UNION ALL SELECT min(bucket_start) FROM rollups WHERE resolution = 'hour'
	UNION ALL SELECT min(bucket_start) FROM rollups WHERE resolution = 'day'
	UNION ALL SELECT min(bucket_start) FROM rollups WHERE resolution = 'month'
)
HAVING min(t) IS NOT NULL;
