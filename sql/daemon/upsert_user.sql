-- A user seen in a committed sample.  The name is refreshed; a NULL name
-- (no passwd entry any more) keeps the one seen before.
INSERT INTO users (uid, name, first_seen, last_seen)
VALUES (:uid, :name, :seen, :seen)
ON CONFLICT (uid) DO UPDATE SET
	name = coalesce(excluded.name, users.name),
	last_seen = max(users.last_seen, excluded.last_seen);
