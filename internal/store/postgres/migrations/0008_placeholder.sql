-- Placeholder on branch i15-notices only: version 0008 belongs to another
-- branch (migrations are numbered without gaps). Drop this file when
-- merging; the real 0008 takes its place.
SELECT 1;
