-- The hook ran to its end (whatever its exit status) or was killed at its
-- timeout: not run again.
DELETE FROM quota_hooks WHERE event_id = :event_id;
