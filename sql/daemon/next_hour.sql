SELECT min(bucket_start) FROM rollup_hour WHERE bucket_start >= :after;
