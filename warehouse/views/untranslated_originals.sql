-- Originals whose story has no article in another language yet.
with story_langs as (
    select m.story_id, count(distinct a.lang) as n_langs
    from story_members as m
    join articles as a using (article_id)
    group by m.story_id
),

final as (
    select
        s.story_id,
        a.article_id,
        a.lang,
        a.site,
        a.url,
        a.title,
        a.published_at,
        s.n_articles
    from stories as s
    join story_langs as l using (story_id)
    join articles as a on a.article_id = s.canonical_article_id
    where l.n_langs = 1
)

select * from final
