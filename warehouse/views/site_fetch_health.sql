-- Fetch health per site: attempts by outcome class, success rate, last success and last try.
with attempts as (
    select
        regexp_replace(lower(regexp_extract(url, '^[a-z]+://([^/:?#]+)', 1)), '^www\.', '')
            as site,
        status,
        started_at
    from fetches
),

final as (
    select
        site,
        count(*) as attempts,
        count(*) filter (where status in ('ok', 'not_modified')) as succeeded,
        round(count(*) filter (where status in ('ok', 'not_modified')) / count(*), 3)
            as success_rate,
        count(*) filter (where status = 'ok') as ok,
        count(*) filter (where status = 'not_modified') as not_modified,
        count(*) filter (where status in ('dns', 'connect', 'tls', 'timeout')) as network_errors,
        count(*) filter (where status = 'http_4xx') as http_4xx,
        count(*) filter (where status = 'http_5xx') as http_5xx,
        count(*) filter (where status = 'blocked_by_robots') as blocked_by_robots,
        count(*) filter (where status = 'blocked_address') as blocked_address,
        count(*) filter (
            where status in ('too_large', 'bad_content_type', 'redirect_loop', 'bad_url')
        ) as refused_content,
        max(started_at) filter (where status in ('ok', 'not_modified')) as last_success_at,
        max(started_at) as last_attempt_at
    from attempts
    group by site
)

select * from final
