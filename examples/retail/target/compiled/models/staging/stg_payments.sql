select
    payment_id,
    order_id,
    paid_at,
    cast(paid_at as date) as paid_on,
    method as payment_method,
    amount
from "raw_shop"."payments"