-- Seed 003's cash flow: money in (payments received), refunds (payments of orders later
-- cancelled) and the cost of the goods sold (var('cost_ratio') of net revenue) out, per month.
with payments as (
    select cast(date_trunc('month', p.paid_on) as date) as month,
           sum(p.amount) as cash_in,
           sum(case when o.status = 'cancelled' then p.amount else 0 end) as refunds
    from "marts"."fct_payments" as p
    join "marts"."fct_orders" as o on o.order_id = p.order_id
    group by 1
),

costs as (
    select cast(date_trunc('month', order_date) as date) as month,
           cast(sum(net_amount) * 0.62 as decimal(14, 2)) as cost_of_goods
    from "marts"."fct_orders"
    where status <> 'cancelled'
    group by 1
)

select
    coalesce(p.month, c.month) as month,
    coalesce(p.cash_in, 0) as cash_in,
    coalesce(p.refunds, 0) as refunds,
    coalesce(c.cost_of_goods, 0) as cost_of_goods,
    coalesce(p.cash_in, 0) - coalesce(p.refunds, 0) - coalesce(c.cost_of_goods, 0) as net_cash_flow
from payments as p
full outer join costs as c on c.month = p.month