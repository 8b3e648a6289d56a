-- quota rm: the quotas of :uid (NULL: the default), of one :per or all.
DELETE FROM quotas WHERE uid IS :uid AND (:per IS NULL OR per = :per);
