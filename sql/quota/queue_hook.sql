-- A quota transition the hook has to run for (with record_event, in one
-- transaction).
INSERT INTO quota_hooks (uid, per, period_start, state, used, limit_bytes, period, dir, queued)
VALUES (:uid, :per, :period_start, :state, :used, :limit_bytes, :period, :dir, :queued);
