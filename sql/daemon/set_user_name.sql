-- A name NSS gave later (the directory was down, or the user was added or
-- renamed) for a user already stored.
UPDATE users SET name = :name WHERE uid = :uid AND name IS NOT :name;
