-- Articles per day, language, site and origin (the day it was published, else first seen).
with first_seen as (
    select article_id, min(recorded_at) as first_seen_at
    from article_versions
    group by article_id
),

final as (
    select
        cast(coalesce(a.published_at, f.first_seen_at) as date) as day,
        a.published_at is not null as by_published_date,
        a.lang,
        coalesce(a.site, 'seed') as site,
        a.origin,
        count(*) as articles
    from articles as a
    left join first_seen as f using (article_id)
    group by all
)

select * from final
