
-- Each payment method's share of the money received, per month.
select
    cast(date_trunc('month', paid_on) as date) as month,
    sum(case when payment_method = 'card' then amount else 0 end) as card_amount,
    sum(case when payment_method = 'transfer' then amount else 0 end) as transfer_amount,
    sum(case when payment_method = 'invoice' then amount else 0 end) as invoice_amount,
    sum(amount) as total_amount,
    cast(100 * sum(case when payment_method = 'card' then amount else 0 end) / sum(amount) as decimal(6, 2)) as card_share_pct,
    cast(100 * sum(case when payment_method = 'transfer' then amount else 0 end) / sum(amount) as decimal(6, 2)) as transfer_share_pct,
    cast(100 * sum(case when payment_method = 'invoice' then amount else 0 end) / sum(amount) as decimal(6, 2)) as invoice_share_pct
    from "marts"."fct_payments"
group by 1