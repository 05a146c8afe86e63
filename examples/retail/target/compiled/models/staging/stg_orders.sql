select
    order_id,
    customer_id,
    employee_id,
    ordered_at,
    cast(ordered_at as date) as order_date,
    status,
    ship_city
from "raw_shop"."orders"