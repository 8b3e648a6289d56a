-- The kernel map was recreated (reboot, 'stop', new layout): its counters
-- start from zero again.
DELETE FROM baseline;
