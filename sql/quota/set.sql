-- quota set: replaces the quota of :uid (NULL: the default) for :per.
DELETE FROM quotas WHERE uid IS :uid AND per = :per;
INSERT INTO quotas (uid, per, dir, limit_bytes, warn_pct, updated)
VALUES (:uid, :per, :dir, :limit_bytes, :warn_pct, strftime('%s', 'now'));
