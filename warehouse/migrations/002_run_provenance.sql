-- 002: which quelle wrote a run, and which shard of hosts it fetched (for multi-worker runs).
alter table runs add column if not exists quelle_version varchar;
alter table runs add column if not exists shard varchar;
