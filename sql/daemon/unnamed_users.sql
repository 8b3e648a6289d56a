-- Users stored without a name (NSS had none, or the directory was down):
-- asked again at every start.
SELECT uid FROM users WHERE name IS NULL ORDER BY last_seen DESC;
