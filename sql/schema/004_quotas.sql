-- Schema version 4: transfer quotas, and the quota transitions the daemon
-- has reported (so each is reported once per user, period and state, also
-- across daemon restarts).

-- One quota per user and period kind; uid NULL is the default for every
-- user who has no quota of that kind.  Usage is summed over the period's
-- local day, ISO week (Monday 00:00) or month.
CREATE TABLE quotas (
	uid         INTEGER,           -- host uid; NULL: the default for all users
	per         TEXT NOT NULL CHECK (per IN ('day', 'week', 'month')),
	dir         TEXT NOT NULL DEFAULT 'total' CHECK (dir IN ('rx', 'tx', 'total')),
	limit_bytes INTEGER NOT NULL CHECK (limit_bytes > 0),
	warn_pct    INTEGER NOT NULL DEFAULT 80 CHECK (warn_pct BETWEEN 1 AND 100),
	updated     INTEGER NOT NULL   -- when it was last set (UTC epoch seconds)
);
CREATE UNIQUE INDEX quotas_per_user ON quotas (uid, per) WHERE uid IS NOT NULL;
CREATE UNIQUE INDEX quotas_default ON quotas (per) WHERE uid IS NULL;

CREATE TABLE quota_events (
	uid          INTEGER NOT NULL,
	per          TEXT NOT NULL,
	period_start INTEGER NOT NULL,   -- the period the transition happened in
	state        TEXT NOT NULL CHECK (state IN ('warn', 'over')),
	at           INTEGER NOT NULL,   -- end of the interval that crossed it
	used         INTEGER NOT NULL,
	limit_bytes  INTEGER NOT NULL,
	PRIMARY KEY (uid, per, period_start, state)
) WITHOUT ROWID;
