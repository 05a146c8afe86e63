namespace Wharf.IntegrationTests.Postgres;

/// <summary>A database made for one test by <see cref="PostgresServer.CreateDatabaseAsync"/>.</summary>
/// <param name="Name">The database's name, <c>t_</c> and 32 hex digits.</param>
/// <param name="ConnectionString">An Npgsql connection string for it.</param>
/// <param name="Url">The same as a <c>postgres://</c> URL, the form Wharf's project files take.</param>
public sealed record TestDatabase(string Name, string ConnectionString, string Url)
{
    public override string ToString() => Name;

    /// <summary>The first value of the query's first row, on a connection of its own; null for none or NULL.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return value is DBNull ? null : value;
    }
}
