-- Of the customers who ordered, how many ordered more than once (overall and by first-order year).
with buyers as (
    select customer_id, count(*) as orders, min(order_date) as first_order_date
    from "marts"."fct_orders"
    where status <> 'cancelled'
    group by customer_id
)

select
    cast(extract(year from first_order_date) as integer) as cohort_year,
    count(*) as customers,
    sum(case when orders > 1 then 1 else 0 end) as repeat_customers,
    cast(100.0 * sum(case when orders > 1 then 1 else 0 end) / count(*) as decimal(6, 2)) as repeat_rate_pct
from buyers
group by 1