-- The names (runs of capitalised words) and acronyms that recur across stories.
with texts as (
    select m.story_id, a.article_id, coalesce(a.title, '') || E'\n' || coalesce(a.body, '') as text
    from articles as a
    join story_members as m using (article_id)
),

names as (
    select story_id, article_id, unnest(
        regexp_extract_all(text, '(\p{Lu}[\p{Ll}\-]+(?:[ ]+\p{Lu}[\p{Ll}\-]+)+)')
    ) as term, 'name' as kind
    from texts
),

acronyms as (
    select story_id, article_id, unnest(
        regexp_extract_all(text, '\b(\p{Lu}[\p{Lu}&]{1,9})\b')
    ) as term, 'acronym' as kind
    from texts
),

final as (
    select
        term,
        kind,
        count(distinct story_id) as stories,
        count(distinct article_id) as articles,
        count(*) as mentions
    from (select * from names union all select * from acronyms)
    group by term, kind
)

select * from final
