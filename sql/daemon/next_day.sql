SELECT min(bucket_start) FROM rollup_day WHERE bucket_start >= :after;
