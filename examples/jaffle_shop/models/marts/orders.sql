{%- set payment_methods = var('payment_methods') -%}

select
    o.order_id,
    o.customer_id,
    o.order_date,
    o.status,
    {% for payment_method in payment_methods -%}
    coalesce(p.{{ payment_method }}_amount, 0) as {{ payment_method }}_amount,
    {% endfor -%}
    coalesce(p.total_amount, 0) as amount
from {{ ref('stg_orders') }} as o
left join {{ ref('order_payments') }} as p on p.order_id = o.order_id
