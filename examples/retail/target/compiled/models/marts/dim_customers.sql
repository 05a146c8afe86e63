with orders as (
    select customer_id, min(order_date) as first_order_date, max(order_date) as last_order_date, count(*) as orders
    from "staging"."stg_orders"
    where status <> 'cancelled'
    group by customer_id
)

select
    c.customer_id,
    c.company,
    c.contact,
    c.email,
    c.country,
    c.created_on,
    o.first_order_date,
    o.last_order_date,
    coalesce(o.orders, 0) as lifetime_orders
from "staging"."stg_customers" as c
left join orders as o on o.customer_id = c.customer_id