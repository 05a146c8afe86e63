select
    id as payment_id,
    order_id,
    payment_method,
    round(cast(amount as decimal(18, 2)) / 100, 2) as amount
from "main"."raw_payments"