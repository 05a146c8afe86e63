{%- set methods = ['card', 'transfer', 'invoice'] %}
-- Each payment method's share of the money received, per month.
select
    cast(date_trunc('month', paid_on) as date) as month,
    {% for method in methods -%}
    sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount,
    {% endfor -%}
    sum(amount) as total_amount,
    {% for method in methods -%}
    cast(100 * sum(case when payment_method = '{{ method }}' then amount else 0 end) / sum(amount) as decimal(6, 2)) as {{ method }}_share_pct{{ ',' if not loop.last }}
    {% endfor -%}
from {{ ref('fct_payments') }}
group by 1
