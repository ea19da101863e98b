-- One row per story: its languages, size, original and the slowest and median translation lag.
with lags as (
    select
        story_id,
        max(translation_lag) as max_translation_lag,
        median(epoch(translation_lag)) / 3600.0 as median_lag_hours
    from story_translations
    where role = 'translation'
    group by story_id
),

final as (
    select
        s.story_id,
        s.title,
        s.langs,
        len(s.langs) as n_langs,
        s.n_articles,
        s.canonical_article_id,
        a.lang as original_lang,
        a.url as original_url,
        s.first_published_at,
        l.max_translation_lag,
        l.median_lag_hours
    from stories as s
    left join articles as a on a.article_id = s.canonical_article_id
    left join lags as l using (story_id)
)

select * from final
