-- The next var('forecast_months') months of net cash flow, by a linear trend over the months so
-- far (regr_slope / regr_intercept on the month's index), beside the actual months.
with actual as (
    select
        month,
        net_cash_flow,
        row_number() over (order by month) as month_index
    from "marts"."cashflow_monthly"
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
    select 1 as step union all
    select 2 as step union all
    select 3 as step
)

select month, 'actual' as kind, cast(net_cash_flow as decimal(14, 2)) as net_cash_flow
from actual
union all
select
    cast(t.last_month + interval '1 month' * a.step as date) as month,
    'forecast' as kind,
    cast(t.intercept + t.slope * (t.last_index + a.step) as decimal(14, 2)) as net_cash_flow
from trend as t cross join ahead as a