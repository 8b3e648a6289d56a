-- The oldest queued hooks: what the free hook slots start next (the daemon
-- skips those it is running).
SELECT event_id, uid, state, used, limit_bytes, period, per, dir, runs, queued
FROM quota_hooks
ORDER BY event_id
LIMIT :n;
