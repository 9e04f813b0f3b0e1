-- Placeholder for the notices migration (another branch owns 0008): the
-- versions must run without gaps. The merge replaces this file with it.
SELECT 1;
