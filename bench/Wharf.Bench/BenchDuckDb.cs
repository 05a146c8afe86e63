using DuckDB.NET.Data;

namespace Wharf.Bench;

/// <summary>
/// DuckDB through DuckDB.NET, opened as Wharf opens it (extension auto-install and auto-load off),
/// so the baseline and wharf run the same DuckDB build (the version pinned in Directory.Packages.props).
/// Wharf's own helpers are internal to it; these few are all the bench needs.
/// </summary>
internal static class BenchDuckDb
{
    /// <summary>A connection to a database file, or to a new in-memory database when <paramref name="path"/> is null.</summary>
    public static DuckDBConnection Open(string? path, IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = new DuckDBConnectionStringBuilder
        {
            DataSource = path ?? DuckDBConnectionStringBuilder.InMemoryDataSource,
            AutoinstallKnownExtensions = false,
            AutoloadKnownExtensions = false,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            builder[name] = value;
        }

        var connection = new DuckDBConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>The DuckDB library's version, e.g. <c>v1.5.6</c>.</summary>
    public static string LibraryVersion
    {
        get
        {
            using var connection = Open(null);
            return connection.ServerVersion;
        }
    }

    public static void Execute(this DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row, with <c>$1</c>, <c>$2</c>… bound to <paramref name="parameters"/>.</summary>
    public static object? Scalar(this DuckDBConnection connection, string sql, params object[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    /// <summary>The rows of a query, streamed (one chunk at a time, as wharf reads them).</summary>
    public static DuckDBDataReader Query(this DuckDBConnection connection, string sql, params object[] parameters)
    {
        var command = Command(connection, sql, parameters);
        command.UseStreamingMode = true;
        return command.ExecuteReader();
    }

    /// <summary>A SQL string literal: <c>it's</c> becomes <c>'it''s'</c>.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A quoted <c>"schema"."table"</c>.</summary>
    public static string Qualified(string schema, string table) => $"{Identifier(schema)}.{Identifier(table)}";

    private static DuckDBCommand Command(DuckDBConnection connection, string sql, object[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(value));
        }

        return command;
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
