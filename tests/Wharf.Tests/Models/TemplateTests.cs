using Wharf.Models.Templates;
using Wharf.Projects;

namespace Wharf.Tests.Models;

/// <summary>The Jinja subset, rendered as Jinja renders it; anything outside it is an error with file, line and column.</summary>
public sealed class TemplateTests
{
    private static string Render(string text, Action<TemplateScope>? setUp = null)
    {
        var scope = new TemplateScope();
        setUp?.Invoke(scope);
        return Template.Parse("models/m.sql", text).Render(scope);
    }

    private static ProjectFileException Fails(string text, Action<TemplateScope>? setUp = null) =>
        Should.Throw<ProjectFileException>(() => Render(text, setUp));

    [Theory]
    [InlineData("select {{ 1 + 2 * 3 }}", "select 7")]
    [InlineData("{{ 7 // 2 }} {{ 7 / 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}", "3 3.5 2 1024")]
    [InlineData("{{ 'a' ~ 1 ~ none }}", "a1None")]
    [InlineData("{{ 'it''s' }}", "its")]
    [InlineData("{{ \"x\\ty\" }}", "x\ty")]
    [InlineData("{{ [1, 'a', none, true, 2.0] }}", "[1, 'a', None, True, 2.0]")]
    [InlineData("{{ {'k': 1}['k'] }} {{ {'k': [1, 2]}.k[-1] }}", "1 2")]
    [InlineData("{{ 'yes' if 1 < 2 else 'no' }} {{ 'yes' if 'b' in 'abc' and 3 not in [1] else 'no' }}", "yes yes")]
    [InlineData("{{ not 0 or 5 }} {{ 0 and 5 }}", "True 0")]
    [InlineData("{{ 1 == 1.0 }} {{ 'a' != 'a' }} {{ [1, 2] == [1, 2] }}", "True False True")]
    [InlineData("{{ x is defined }} {{ none is none }} {{ 4 is even }} {{ 'a' is not string }}", "False True True False")]
    public void Expressions_evaluate_as_in_Jinja(string template, string expected) => Render(template).ShouldBe(expected);

    [Theory]
    [InlineData("{{ 'Ab' | upper }}{{ 'Ab' | lower }}", "ABab")]
    [InlineData("[{{ '  x  ' | trim }}]", "[x]")]
    [InlineData("{{ 'a-b-c' | replace('-', '_') }} {{ 'a-b-c' | replace('-', '', 1) }}", "a_b_c ab-c")]
    [InlineData("{{ ['a', 'b'] | join(', ') }}", "a, b")]
    [InlineData("{{ missing | default('fallback') }} {{ '' | default('e', true) }} {{ 'set' | d('no') }}", "fallback e set")]
    [InlineData("{{ [1, 2, 3] | length }} {{ 'abcd' | count }}", "3 4")]
    [InlineData("{{ '42' | int + 1 }} {{ 2.567 | round(2) }} {{ -3 | abs }} {{ [4, 5] | first }}{{ [4, 5] | last }}", "43 2.57 3 45")]
    public void Filters_used_in_dbt_projects(string template, string expected) => Render(template).ShouldBe(expected);

    [Fact]
    public void A_loop_knows_first_last_and_index()
    {
        const string template = """
            select
            {%- for method in ['card', 'cash', 'gift'] %}
              sum(case when method = '{{ method }}' then amount end) as {{ method }}_amount{% if not loop.last %},{% endif %} -- {{ loop.index }}/{{ loop.length }}{{ ' first' if loop.first }}
            {%- endfor %}
            from payments
            """;

        Render(template).ShouldBe("""
            select
              sum(case when method = 'card' then amount end) as card_amount, -- 1/3 first
              sum(case when method = 'cash' then amount end) as cash_amount, -- 2/3
              sum(case when method = 'gift' then amount end) as gift_amount -- 3/3
            from payments
            """);
    }

    [Fact]
    public void Loops_unpack_pairs_filter_and_fall_back_to_else()
    {
        Render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}").ShouldBe("a=1;b=2;");
        Render("{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{% endfor %}").ShouldBe("24");
        Render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}").ShouldBe("none");
    }

    [Fact]
    public void Set_assigns_in_the_current_scope_and_a_loop_keeps_its_own()
    {
        Render("{% set xs = ['a'] %}{% do xs.append('b') %}{% set n = xs | length %}{{ xs | join }}{{ n }}").ShouldBe("ab2");
        Render("{% set x = 1 %}{% for i in [5] %}{% set x = i %}{{ x }}{% endfor %}{{ x }}").ShouldBe("51");
        Render("{% set block %}a{{ 1 + 1 }}{% endset %}[{{ block }}]").ShouldBe("[a2]");
        Render("{% set a, b = 1, 2 %}{{ b }}{{ a }}").ShouldBe("21");
    }

    [Fact]
    public void If_elif_else_picks_the_first_true_branch()
    {
        const string template = "{% if n > 10 %}big{% elif n > 5 %}medium{% else %}small{% endif %}";
        Render(template, s => s.Set("n", 20L)).ShouldBe("big");
        Render(template, s => s.Set("n", 7L)).ShouldBe("medium");
        Render(template, s => s.Set("n", 1L)).ShouldBe("small");
    }

    [Fact]
    public void Whitespace_control_strips_around_the_tag_and_comments_vanish()
    {
        Render("a  {%- if true -%}  \n b {%- endif %}\n{# a comment #}c").ShouldBe("ab\nc");
        Render("x\n").ShouldBe("x");
        Render("{% raw %}{{ not rendered }}{% endraw %}").ShouldBe("{{ not rendered }}");
    }

    [Fact]
    public void Macros_take_defaults_and_named_arguments()
    {
        const string template = """
            {%- macro cents_to_dollars(column, scale=2) -%}
            round({{ column }} / 100.0, {{ scale }})
            {%- endmacro -%}
            {{ cents_to_dollars('amount') }} {{ cents_to_dollars(scale=0, column='tip') }}
            """;

        Render(template).ShouldBe("round(amount / 100.0, 2) round(tip / 100.0, 0)");
    }

    [Fact]
    public void Host_functions_get_their_arguments_and_their_refusals_point_at_the_call()
    {
        TemplateFunction reference = a =>
        {
            a.Allow("name");
            var name = a.String(0, "name");
            return name == "orders" ? "\"main\".\"orders\"" : throw new TemplateFunctionException($"no model named '{name}'.");
        };

        Render("select * from {{ ref('orders') }}", s => s.Set("ref", reference)).ShouldBe("select * from \"main\".\"orders\"");
        var error = Fails("select *\nfrom {{ ref('ordrs') }}", s => s.Set("ref", reference));
        (error.File, error.Line, error.Column).ShouldBe(("models/m.sql", 2, 9));
        error.Problem.ShouldBe("no model named 'ordrs'.");
    }

    [Theory]
    [InlineData("select {{ amount }}", 1, 11, "'amount' is undefined")]
    [InlineData("a\n{% if x %}", 2, 4, "'{% if %}' is never closed")]
    [InlineData("{{ 1 + }}", 1, 8, "expected a value here")]
    [InlineData("{% for x in [1] %}{% endif %}", 1, 22, "out of place inside the 'for' opened at line 1")]
    [InlineData("{% include 'x.sql' %}", 1, 4, "the tag '{% include %}' is not supported")]
    [InlineData("{{ 'a' | shout }}", 1, 8, "there is no filter 'shout'")]
    [InlineData("{{ 'a' - 1 }}", 1, 8, "'-' cannot combine 'a' and 1")]
    [InlineData("{{ x", 1, 1, "'{{' is never closed")]
    [InlineData("{{ 'open }}", 1, 1, "'{{' is never closed")]
    [InlineData("{% macro m(a) %}{{ m(a) }}{% endmacro %}{{ m(1) }}", 1, 20, "called more than 64 deep")]
    public void Errors_name_the_line_and_column(string template, int line, int column, string problem)
    {
        var error = Fails(template);
        (error.Line, error.Column).ShouldBe((line, column), error.Message);
        error.Problem.ShouldContain(problem);
    }

    [Theory]
    [InlineData("{{ 9223372036854775807 - 1 }} {{ -9223372036854775807 - 1 }} {{ 2 ** 62 }} {{ (-1) ** 101 }} {{ -7 // 2 }} {{ 7 % -3 }}", "9223372036854775806 -9223372036854775808 4611686018427387904 -1 -4 -2")]
    public void Integer_arithmetic_is_exact_to_the_ends_of_64_bits(string template, string expected) => Render(template).ShouldBe(expected);

    [Theory]
    [InlineData("select\n  {{ 100000000000000000000 }}", 2, 6, "the integer 100000000000000000000 is too large")]
    [InlineData("{{ 9223372036854775807 + 1 }}", 1, 24, "outside the 64-bit integers")]
    [InlineData("{{ 2 ** 100 }}", 1, 6, "outside the 64-bit integers")]
    [InlineData("{{ 4611686018427387904 * -4 }}", 1, 24, "outside the 64-bit integers")]
    public void An_integer_past_64_bits_is_an_error_at_its_place_never_a_wrong_number(string template, int line, int column, string problem)
    {
        var error = Fails(template);
        (error.Line, error.Column).ShouldBe((line, column), error.Message);
        error.Problem.ShouldContain(problem);
    }
}
