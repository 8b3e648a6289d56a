-- Where the history begins ('first_start'), for a database written before
-- the mark was kept: its oldest sample or rollup bucket.  Run at every
-- start; it reads the tables only while the mark is missing.
INSERT INTO meta (key, value)
SELECT 'first_start', t
FROM (SELECT (SELECT min(t) FROM (
	SELECT min(period_start) AS t FROM samples
	UNION ALL SELECT min(bucket_start) FROM rollups WHERE resolution = 'hour'
	UNION ALL SELECT min(bucket_start) FROM rollups WHERE resolution = 'day'
	UNION ALL SELECT min(bucket_start) FROM rollups WHERE resolution = 'month'
      )) AS t
      WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'first_start'))
WHERE t IS NOT NULL;
