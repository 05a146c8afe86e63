{#- One row per day from first_day to last_day (timestamps): each engine has its own spelling. -#}
{% macro days_between(first_day, last_day) -%}
{%- if target.type == 'postgres' -%}
    generate_series({{ first_day }}, {{ last_day }}, interval '1 day')
{%- else -%}
    unnest(generate_series({{ first_day }}, {{ last_day }}, interval '1 day'))
{%- endif -%}
{%- endmacro %}
