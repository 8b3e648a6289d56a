-- Hooks queued, and of them those a stop or crash cut short.
SELECT count(*), count(started) FROM quota_hooks;
