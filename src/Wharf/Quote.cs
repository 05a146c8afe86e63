namespace Wharf;

/// <summary>
/// Quoting shared by every SQL dialect Wharf speaks (DuckDB and PostgreSQL quote alike).
/// Generated SQL quotes every identifier; literals appear only where an engine cannot take a
/// parameter (file paths in <c>read_csv</c>, DDL defaults).
/// </summary>
internal static class Quote
{
    /// <summary>Quotes an identifier: <c>my "table"</c> becomes <c>"my ""table"""</c>.</summary>
    public static string Identifier(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"") + "\"";
    }

    /// <summary>Quotes a schema-qualified name.</summary>
    public static string Qualified(string schema, string name) =>
        Identifier(schema) + "." + Identifier(name);

    /// <summary>Quotes a string literal: <c>it's</c> becomes <c>'it''s'</c>.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
        {
            throw new ArgumentException("SQL literals cannot contain NUL characters.", nameof(value));
        }

        return "'" + value.Replace("'", "''") + "'";
    }
}
