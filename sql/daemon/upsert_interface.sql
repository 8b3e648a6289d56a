-- An interface seen in a committed sample; returns its id.
INSERT INTO interfaces (name, netns, first_seen, last_seen)
VALUES (:name, :netns, :seen, :seen)
ON CONFLICT (name, netns) DO UPDATE SET
	last_seen = max(interfaces.last_seen, excluded.last_seen)
RETURNING id;
