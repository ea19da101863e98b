-- One row per article with the story it belongs to.
with members as (
    select article_id, story_id, role, score from story_members
),

final as (
    select
        a.article_id,
        a.origin,
        a.seed_path,
        a.url,
        a.site,
        a.lang,
        a.title,
        a.published_at,
        m.story_id,
        m.role,
        m.score
    from articles as a
    left join members as m using (article_id)
)

select * from final
