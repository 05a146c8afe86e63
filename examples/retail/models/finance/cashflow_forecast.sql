-- The next var('forecast_months') months of net cash flow, by a linear trend over the months so
-- far (regr_slope / regr_intercept on the month's index), beside the actual months.
{%- set horizon = var('forecast_months') | int %}
with actual as (
    select
        month,
        net_cash_flow,
        row_number() over (order by month) as month_index
    from {{ ref('cashflow_monthly') }}
),

trend as (
    select
        regr_slope(net_cash_flow, month_index) as slope,
        regr_intercept(net_cash_flow, month_index) as intercept,
        max(month_index) as last_index,
        max(month) as last_month
    from actual
),

ahead as (
    {%- for step in range(1, horizon + 1) %}
    select {{ step }} as step{{ '' if loop.last else ' union all' }}
    {%- endfor %}
)

select month, 'actual' as kind, cast(net_cash_flow as decimal(14, 2)) as net_cash_flow
from actual
union all
select
    cast(t.last_month + interval '1 month' * a.step as date) as month,
    'forecast' as kind,
    cast(t.intercept + t.slope * (t.last_index + a.step) as decimal(14, 2)) as net_cash_flow
from trend as t cross join ahead as a
