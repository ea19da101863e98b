-- One row per translation or duplicate: its story's original and how long the copy took.
-- Seeds rarely state a date, so the lag falls back to when quelle first saw each article.
with first_seen as (
    select article_id, min(recorded_at) as first_seen_at
    from article_versions
    group by article_id
),

members as (
    select
        m.story_id,
        m.article_id,
        m.role,
        m.score,
        a.lang,
        a.origin,
        a.title,
        coalesce(a.published_at, f.first_seen_at) as seen_at,
        a.published_at is not null as has_published_at
    from story_members as m
    join articles as a using (article_id)
    left join first_seen as f using (article_id)
),

originals as (
    select story_id, article_id, lang, seen_at, has_published_at
    from members
    where role = 'original'
),

final as (
    select
        c.story_id,
        c.article_id,
        c.role,
        c.lang,
        c.origin,
        c.title,
        c.score,
        o.article_id as original_article_id,
        o.lang as original_lang,
        o.seen_at as original_at,
        c.seen_at as copy_at,
        c.seen_at - o.seen_at as translation_lag,
        case when c.has_published_at and o.has_published_at then 'published' else 'first_seen' end
            as lag_basis
    from members as c
    join originals as o using (story_id)
    where c.role <> 'original'
)

select * from final
