select
    i.order_id,
    i.line,
    o.order_date,
    o.customer_id,
    i.product_id,
    p.category,
    i.quantity,
    i.unit_price,
    i.discount,
    i.gross_amount,
    i.discount_amount,
    i.net_amount,
    o.status
from "staging"."stg_order_items" as i
join "staging"."stg_orders" as o on o.order_id = i.order_id
join "staging"."stg_products" as p on p.product_id = i.product_id