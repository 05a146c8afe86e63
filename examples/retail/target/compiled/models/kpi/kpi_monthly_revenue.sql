-- Revenue, orders and average order value per month, with month-over-month growth and how far
-- each month is from its trailing 3-month mean (flagged past var('revenue_deviation_pct')).
with monthly as (
    select
        cast(date_trunc('month', order_date) as date) as month,
        sum(net_amount) as revenue,
        count(*) as orders
    from "marts"."fct_orders"
    where status <> 'cancelled'
    group by 1
),

measured as (
    select
        month,
        revenue,
        orders,
        cast(revenue / orders as decimal(14, 2)) as average_order_value,
        lag(revenue) over (order by month) as previous_revenue,
        avg(revenue) over (order by month rows between 3 preceding and 1 preceding) as trailing_3m_mean,
        count(*) over (order by month rows between 3 preceding and 1 preceding) as trailing_months
    from monthly
)

select
    month,
    revenue,
    orders,
    average_order_value,
    cast(100 * (revenue - previous_revenue) / nullif(previous_revenue, 0) as decimal(10, 2)) as mom_growth_pct,
    cast(trailing_3m_mean as decimal(14, 2)) as trailing_3m_mean,
    cast(100 * (revenue - trailing_3m_mean) / nullif(trailing_3m_mean, 0) as decimal(10, 2)) as deviation_pct,
    trailing_months = 3
        and abs(100 * (revenue - trailing_3m_mean) / nullif(trailing_3m_mean, 0)) > 35 as is_deviation
from measured