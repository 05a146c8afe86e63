select
    product_id,
    name as product_name,
    category,
    unit_price as list_price,
    discontinued
from "raw_shop"."products"