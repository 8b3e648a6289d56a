-- Schema version 7: the quota hook's queue.  With --quota-exec, each
-- transition recorded in quota_events is queued here in the same
-- transaction, and its row stays until the hook has run to its end (or was
-- killed at --quota-exec-timeout).  A hook a stop or a crash cut short
-- runs again at the next start with the same event_id (PDTT_EVENT_ID), so a
-- hook that must not act twice can tell a repeat.  Rows wait while every
-- hook slot is taken: no transition is dropped.

CREATE TABLE quota_hooks (
	event_id     INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	uid          INTEGER NOT NULL,
	per          TEXT NOT NULL,      -- the quota_events row: uid, per,
	period_start INTEGER NOT NULL,   -- period_start and state
	state        TEXT NOT NULL CHECK (state IN ('warn', 'over')),
	used         INTEGER NOT NULL,   -- bytes used when it crossed
	limit_bytes  INTEGER NOT NULL,
	period       TEXT NOT NULL,      -- '2026-10', '2026-10-25', '2026-W44'
	dir          TEXT NOT NULL,      -- 'total', 'rx' or 'tx'
	queued       INTEGER NOT NULL,   -- when the transition was recorded
	runs         INTEGER NOT NULL DEFAULT 0, -- hook starts so far
	started      INTEGER             -- the last start; NULL: not started yet
);
