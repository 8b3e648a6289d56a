-- A key the daemon removed from the kernel map: if it comes back, its
-- counters start from zero, so no baseline is kept for it.
DELETE FROM baseline
WHERE uid = :uid AND netns_cookie = :netns_cookie AND ifindex = :ifindex;
