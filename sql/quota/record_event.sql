-- A quota transition seen by the daemon; ignored when already reported.
INSERT OR IGNORE INTO quota_events (uid, per, period_start, state, at, used, limit_bytes)
VALUES (:uid, :per, :period_start, :state, :at, :used, :limit_bytes);
