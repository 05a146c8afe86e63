select product_id, product_name, category, list_price, discontinued
from "staging"."stg_products"