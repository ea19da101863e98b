-- 001: the first warehouse contract (ARCHITECTURE.md). Idempotent: safe to run twice.

create table if not exists runs (
    run_id        varchar not null,   -- quelle's run id (also the Prefect flow run name's suffix)
    flow_run_id   varchar,            -- Prefect flow run id, to find the run in the UI
    started_at    timestamptz not null,
    finished_at   timestamptz,
    status        varchar not null,   -- running, completed, failed
    seeds_dir     varchar,
    counts        json,               -- {"seeds_read": 5, "articles_loaded": 7, ...}
    timings       json,               -- seconds per stage
    error         varchar,
    report        varchar             -- the run report, markdown
);

create table if not exists articles (
    article_id      varchar not null,  -- sha256("seed:<seed_path>") or sha256(canonical url), 16 hex
    origin          varchar not null,  -- seed | web
    seed_path       varchar,           -- path relative to the seeds directory (seeds only)
    url             varchar,           -- canonical URL the page was fetched from (web only)
    site            varchar,           -- host without www.
    lang            varchar not null,  -- ISO 639-1, 'und' when unknown
    title           varchar,
    lead            varchar,
    body            varchar,           -- paragraphs joined by a blank line
    paragraphs      varchar[],
    published_at    timestamptz,
    modified_at     timestamptz,
    author          varchar,
    section         varchar,
    tags            varchar[],
    canonical_url   varchar,
    images          json,              -- [{"url", "file_name", "caption", "credit"}]
    provenance      json,              -- {"title": "jsonld", "published_at": "meta", ...}
    extractor       varchar not null,  -- e.g. seed_text/1, generic/1, detail_cms/1
    content_sha256  varchar not null,
    first_seen_run  varchar not null,
    last_seen_run   varchar not null,
    updated_at      timestamptz not null
);

-- Earlier versions of an article: a row is added whenever content_sha256 changes.
create table if not exists article_versions (
    article_id      varchar not null,
    content_sha256  varchar not null,
    run_id          varchar not null,
    recorded_at     timestamptz not null,
    title           varchar,
    lead            varchar,
    body            varchar,
    published_at    timestamptz,
    author          varchar,
    extractor       varchar
);

create table if not exists citations (
    article_id  varchar not null,      -- the citing article
    url         varchar not null,      -- canonical URL cited
    kind        varchar not null,      -- source
    text        varchar                -- the line it came from
);

create table if not exists pages (
    url            varchar not null,   -- canonical URL asked for
    final_url      varchar,            -- after redirects
    status         integer,            -- HTTP status of the archived response
    fetched_at     timestamptz,
    etag           varchar,
    last_modified  varchar,
    content_type   varchar,
    headers        json,
    body_sha256    varchar,
    body_bytes     bigint,             -- size before compression
    body           blob,               -- zlib-compressed raw bytes as received
    article_id     varchar             -- the article parsed from it, if any
);

create table if not exists fetches (
    run_id       varchar not null,
    url          varchar not null,
    attempt      integer not null,
    started_at   timestamptz not null,
    duration_ms  integer,
    status       varchar not null,     -- outcome class: ok, not_modified, dns, connect, tls, timeout, ...
    http_status  integer,
    error        varchar,
    bytes        bigint,
    cache        varchar,              -- miss | revalidated | hit
    final_url    varchar,
    address      varchar
);

create table if not exists fingerprints (
    article_id      varchar not null,
    content_sha256  varchar not null,
    data            json not null      -- parsers.fingerprint.Fingerprint.to_row()
);

create table if not exists stories (
    story_id              varchar not null,
    canonical_article_id  varchar,
    title                 varchar,
    n_articles            integer,
    langs                 varchar[],
    first_published_at    timestamptz,
    first_seen_run        varchar,
    updated_at            timestamptz
);

create table if not exists story_members (
    story_id    varchar not null,
    article_id  varchar not null,
    role        varchar not null,      -- original | translation | duplicate
    score       double,
    evidence    json                   -- {"citation": 1.0, "anchors": 0.8, ...}
);

create table if not exists story_merges (
    merged_id  varchar not null,       -- the story id that disappeared
    into_id    varchar not null,       -- the story id that survived
    run_id     varchar not null,
    merged_at  timestamptz not null
);

create table if not exists rejects (
    run_id       varchar not null,
    stage        varchar not null,     -- read, parse_seed, fetch, parse_html, ...
    input        varchar not null,     -- seed path or URL
    reason       varchar not null,
    rejected_at  timestamptz not null
);

create table if not exists quality_checks (
    run_id      varchar not null,
    check_name  varchar not null,
    status      varchar not null,      -- pass | fail
    failures    bigint not null,
    details     varchar,
    checked_at  timestamptz not null
);
