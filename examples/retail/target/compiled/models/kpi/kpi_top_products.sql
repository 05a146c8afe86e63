-- The ten products that brought in the most revenue.
select
    p.product_id,
    p.product_name,
    p.category,
    sum(i.quantity) as units,
    sum(i.net_amount) as revenue
from "marts"."fct_order_items" as i
join "marts"."dim_products" as p on p.product_id = i.product_id
where i.status <> 'cancelled'
group by p.product_id, p.product_name, p.category
order by revenue desc, p.product_id
limit 10