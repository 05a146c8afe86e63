select
    product_id,
    name as product_name,
    category,
    unit_price as list_price,
    discontinued
from {{ source('shop_sync', 'products') }}
