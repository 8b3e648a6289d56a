-- Records where the history begins: the mark only moves back.
INSERT INTO meta (key, value) VALUES (:key, :value)
ON CONFLICT (key) DO UPDATE SET
	value = min(CAST(meta.value AS INTEGER), CAST(excluded.value AS INTEGER));
