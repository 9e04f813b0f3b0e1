-- Placeholder on branch i15-notices only: version 0009 belongs to another
-- branch (migrations are numbered without gaps). Drop this file when
-- merging; the real 0009 takes its place.
SELECT 1;
