-- Records how far retention has pruned a resolution; the mark only moves
-- forward (what was deleted stays deleted even if retention grows later).
INSERT INTO meta (key, value) VALUES (:key, :value)
ON CONFLICT (key) DO UPDATE SET
	value = max(CAST(meta.value AS INTEGER), CAST(excluded.value AS INTEGER));
