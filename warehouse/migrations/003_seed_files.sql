-- 003: the seed files each seeds directory gave articles from, as of its latest run. A file
-- whose size, times and inode are unchanged since is not read again (flows/seeds.py).
create table if not exists seed_files (
    seeds_dir       varchar not null,  -- the seeds directory, resolved
    seed_path       varchar not null,  -- relative to it, as articles.seed_path
    size            bigint not null,
    mtime_ns        bigint not null,
    ctime_ns        bigint not null,
    inode           ubigint not null,
    article_id      varchar not null,
    content_sha256  varchar not null,  -- of the article the file gave
    quelle_version  varchar not null,  -- another version reads every file again
    run_id          varchar not null   -- the run that read it
);
