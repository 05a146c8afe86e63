with items as (
    select
        order_id,
        count(*) as items,
        sum(quantity) as units,
        sum(gross_amount) as gross_amount,
        sum(discount_amount) as discount_amount,
        sum(net_amount) as net_amount
    from "staging"."stg_order_items"
    group by order_id
)

select
    o.order_id,
    o.customer_id,
    o.employee_id,
    o.order_date,
    o.status,
    o.ship_city,
    coalesce(i.items, 0) as items,
    coalesce(i.units, 0) as units,
    coalesce(i.gross_amount, 0) as gross_amount,
    coalesce(i.discount_amount, 0) as discount_amount,
    coalesce(i.net_amount, 0) as net_amount
from "staging"."stg_orders" as o
left join items as i on i.order_id = o.order_id