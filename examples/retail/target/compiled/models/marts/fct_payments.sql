select
    p.payment_id,
    p.order_id,
    o.customer_id,
    p.paid_on,
    p.payment_method,
    p.amount
from "staging"."stg_payments" as p
join "staging"."stg_orders" as o on o.order_id = p.order_id