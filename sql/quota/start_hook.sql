-- Stored before the hook starts, so a crash after it leaves a record that
-- the hook may have run (and it runs again, with the same event_id).
UPDATE quota_hooks SET runs = runs + 1, started = :now WHERE event_id = :event_id;
