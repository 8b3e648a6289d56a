-- pdtt history database, schema version 1: samples, users, interfaces,
-- the persisted counter baseline and meta.  Times are UTC epoch seconds.
-- Applied by pdtt_xdp_user inside one transaction; see docs/SCHEMA.md.

-- Small key/value facts about the database and the kernel map it follows:
--   boot_id   /proc/sys/kernel/random/boot_id when the baseline was stored
--   map_id    kernel id of the pinned counter map the baseline belongs to
--   last_end  end of the last committed sample
--   created   when the database was created
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Every user that has been counted.
CREATE TABLE users (
	uid        INTEGER PRIMARY KEY,  -- host uid (initial user namespace)
	name       TEXT,                 -- user name as last seen through NSS; NULL if none
	first_seen INTEGER NOT NULL,     -- first sample with traffic (period_end)
	last_seen  INTEGER NOT NULL      -- latest sample with traffic (period_end)
);

-- Every interface that has been counted.
CREATE TABLE interfaces (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,        -- 'eth0'; 'if7' for an interface of another netns
	netns      TEXT NOT NULL,        -- 'host' (the daemon's namespace) or 'netns:<cookie>'
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	UNIQUE (name, netns)
);

-- One row per interval, user and interface with traffic: the finest detail.
-- Intervals are half-open [period_start, period_end) and never overlap.
CREATE TABLE samples (
	period_start INTEGER NOT NULL,
	period_end   INTEGER NOT NULL CHECK (period_end > period_start),
	uid          INTEGER NOT NULL REFERENCES users (uid),
	iface_id     INTEGER NOT NULL REFERENCES interfaces (id),
	rx_bytes     INTEGER NOT NULL,   -- IP-layer bytes received by the user's sockets
	rx_packets   INTEGER NOT NULL,   -- wire packets (GRO super-packets count per segment)
	tx_bytes     INTEGER NOT NULL,
	tx_packets   INTEGER NOT NULL,
	PRIMARY KEY (period_end, uid, iface_id)
) WITHOUT ROWID;
CREATE INDEX samples_by_uid ON samples (uid, period_end);

-- Cumulative kernel counters as of the last committed sample, per map key.
-- The next sample is the kernel's counters minus these.
CREATE TABLE baseline (
	uid          INTEGER NOT NULL,
	netns_cookie INTEGER NOT NULL,
	ifindex      INTEGER NOT NULL,
	rx_bytes     INTEGER NOT NULL,
	rx_packets   INTEGER NOT NULL,
	tx_bytes     INTEGER NOT NULL,
	tx_packets   INTEGER NOT NULL,
	PRIMARY KEY (uid, netns_cookie, ifindex)
) WITHOUT ROWID;
