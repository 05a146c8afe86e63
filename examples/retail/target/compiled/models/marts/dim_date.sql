-- One row per day over the orders' span (padded to whole years), for joins and calendars.
with bounds as (
    select
        cast(min(order_date) as timestamp) as first_day,
        cast(max(order_date) as timestamp) as last_day
    from "staging"."stg_orders"
),

days as (
    select cast(unnest(generate_series(cast(date_trunc('year', first_day) as timestamp), cast(date_trunc('year', last_day) as timestamp) + interval '1 year' - interval '1 day', interval '1 day')) as date) as date_day
    from bounds
)

select
    date_day,
    cast(extract(year from date_day) as integer) as year,
    cast(extract(quarter from date_day) as integer) as quarter,
    cast(extract(month from date_day) as integer) as month,
    cast(date_trunc('month', date_day) as date) as month_start,
    cast(extract(isodow from date_day) as integer) as iso_day_of_week,
    extract(isodow from date_day) in (6, 7) as is_weekend
from days