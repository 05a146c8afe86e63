select employee_id, name as employee_name, title, reports_to, hired_on
from "raw_shop"."employees"