{{ config(materialized='incremental', unique_key=['order_date', 'status']) }}

-- One row per day and status; a rebuild only recomputes the days from the latest one on.
select order_date, status, count(*) as orders, sum(amount) as amount
from {{ ref('orders') }}
{% if is_incremental() %}
where order_date >= (select max(order_date) from {{ this }})
{% endif %}
group by order_date, status
