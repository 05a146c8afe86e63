select
    category,
    count(distinct order_id) as orders,
    sum(quantity) as units,
    sum(net_amount) as revenue,
    cast(100 * sum(net_amount) / sum(sum(net_amount)) over () as decimal(6, 2)) as revenue_share_pct
from "marts"."fct_order_items"
where status <> 'cancelled'
group by category