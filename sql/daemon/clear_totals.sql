-- The per-interface totals are no longer kept (or are about to be refilled).
DELETE FROM totals;
