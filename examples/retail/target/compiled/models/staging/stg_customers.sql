select
    customer_id,
    company,
    contact,
    lower(email) as email,
    country,
    cast(created_at as date) as created_on
from "raw_shop"."customers"