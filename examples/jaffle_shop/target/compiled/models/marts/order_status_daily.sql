

-- One row per day and status; a rebuild only recomputes the days from the latest one on.
select order_date, status, count(*) as orders, sum(amount) as amount
from "main"."orders"

where order_date >= (select max(order_date) from "main"."order_status_daily")

group by order_date, status