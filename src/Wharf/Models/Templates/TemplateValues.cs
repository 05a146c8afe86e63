using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Wharf.Models.Templates;

/// <summary>
/// What template values mean, as in Python: truth, printing (<c>None</c>, <c>True</c>,
/// <c>['a', 'b']</c>), equality and order across integers and floats, iteration and membership.
/// Values are <see langword="null"/>, <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/>, <see cref="List{T}"/> of objects, <see cref="OrderedDictionary{TKey, TValue}"/>
/// by string, functions, macros and host objects.
/// </summary>
internal static class TemplateValues
{
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        _ => true,
    };

    /// <summary>The text <c>{{ value }}</c> prints.</summary>
    public static string Display(object? value) => value switch
    {
        string s => s,
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr</c>: how a value prints inside a list.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Float(d),
        string s => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'",
        List<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        OrderedDictionary<string, object?> dict => "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}",
        _ => value.ToString() ?? "",
    };

    private static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    public static new bool Equals(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (bool a, bool b) => a == b,
        (bool, _) or (_, bool) => false,
        (long a, long b) => a == b,
        (long or double, long or double) => Convert.ToDouble(left, CultureInfo.InvariantCulture) == Convert.ToDouble(right, CultureInfo.InvariantCulture),
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(p => Equals(p.First, p.Second)),
        (OrderedDictionary<string, object?> a, OrderedDictionary<string, object?> b) =>
            a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && Equals(p.Value, v)),
        _ => left.Equals(right) || string.Equals(left.ToString(), right.ToString(), StringComparison.Ordinal) && left.GetType() == right.GetType(),
    };

    /// <summary>Order of numbers, strings and lists; anything else cannot be compared.</summary>
    public static int Compare(object? left, object? right) => (left, right) switch
    {
        (long a, long b) => a.CompareTo(b),
        (long or double, long or double) => Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture)),
        (string a, string b) => string.CompareOrdinal(a, b),
        (List<object?> a, List<object?> b) => a.Zip(b).Select(p => Compare(p.First, p.Second)).FirstOrDefault(c => c != 0, a.Count.CompareTo(b.Count)),
        _ => throw new TemplateFunctionException($"{Repr(left)} and {Repr(right)} cannot be compared."),
    };

    /// <summary>The items a <c>for</c> walks: a list's items, a mapping's keys, a string's characters.</summary>
    public static List<object?> Items(object? value) => value switch
    {
        List<object?> list => list,
        OrderedDictionary<string, object?> dict => [.. dict.Keys],
        string s => [.. s.Select(c => (object?)c.ToString())],
        _ => throw new TemplateFunctionException($"{Repr(value)} cannot be looped over; give a list, a mapping or a string."),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string part ? s.Contains(part, StringComparison.Ordinal) : throw new TemplateFunctionException($"'in <string>' needs a string on the left, not {Repr(item)}."),
        List<object?> list => list.Any(x => Equals(x, item)),
        OrderedDictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        _ => throw new TemplateFunctionException($"'in' needs a list, a mapping or a string on the right, not {Repr(container)}."),
    };

    /// <summary>
    /// Integer arithmetic, exact or an error: a result outside 64 bits is refused, never wrapped or
    /// rounded (Python's integers have no limit, so any other answer would differ from dbt's).
    /// </summary>
    private static long IntegerArithmetic(string op, long a, long b)
    {
        if (b == 0 && op is "//" or "%")
        {
            throw new TemplateFunctionException("division by zero.");
        }

        BigInteger x = a, y = b;
        var exact = op switch
        {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            // Python floors where C# truncates toward zero.
            "//" => BigInteger.Divide(x, y) - (x % y != 0 && (x < 0) != (y < 0) ? 1 : 0),
            "%" => ((x % y) + y) % y,
            // Past 64 only 0, 1 and -1 stay in range, and for them the exponent's parity is all that matters.
            "**" => BigInteger.Pow(x, (int)(b > 64 ? 64 + (b % 2) : b)),
            _ => throw Unsupported(op, a, b),
        };
        return exact >= long.MinValue && exact <= long.MaxValue
            ? (long)exact
            : throw new TemplateFunctionException($"{a} {op} {b} is outside the 64-bit integers of templates (±{long.MaxValue}); use floats ({a}.0 {op} {b}) if an approximate result will do.");
    }

    public static object? Arithmetic(string op, object? left, object? right)
    {
        switch (op, left, right)
        {
            case ("+", string a, string b):
                return a + b;
            case ("+", List<object?> a, List<object?> b):
                return new List<object?>([.. a, .. b]);
            case ("*", string a, long n):
                return new StringBuilder().Insert(0, a, (int)Math.Max(0, n)).ToString();
            case (_, long a, long b) when op != "/" && (op != "**" || b >= 0):
                return IntegerArithmetic(op, a, b);
            case (_, long or double, long or double):
                var x = Convert.ToDouble(left, CultureInfo.InvariantCulture);
                var y = Convert.ToDouble(right, CultureInfo.InvariantCulture);
                if (y == 0 && op is "/" or "//" or "%")
                {
                    throw new TemplateFunctionException("division by zero.");
                }

                return op switch
                {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    "/" => x / y,
                    "//" => Math.Floor(x / y),
                    "%" => x - (y * Math.Floor(x / y)),
                    "**" => Math.Pow(x, y),
                    _ => throw Unsupported(op, left, right),
                };
            default:
                throw Unsupported(op, left, right);
        }
    }

    private static TemplateFunctionException Unsupported(string op, object? left, object? right) =>
        new($"'{op}' cannot combine {Repr(left)} and {Repr(right)}; use '~' to join text.");
}
