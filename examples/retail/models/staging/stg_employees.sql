select employee_id, name as employee_name, title, reports_to, hired_on
from {{ source('shop_sync', 'employees') }}
