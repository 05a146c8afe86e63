select
    order_id,
    line,
    product_id,
    quantity,
    unit_price,
    discount,
    cast(quantity * unit_price as decimal(14, 2)) as gross_amount,
    cast(quantity * unit_price * discount as decimal(14, 2)) as discount_amount,
    cast(quantity * unit_price * (1 - discount) as decimal(14, 2)) as net_amount
from "raw_shop"."order_items"