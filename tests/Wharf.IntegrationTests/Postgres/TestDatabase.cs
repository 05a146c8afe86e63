namespace Wharf.IntegrationTests.Postgres;

/// <summary>A database made for one test by <see cref="PostgresServer.CreateDatabaseAsync"/>.</summary>
/// <param name="Name">The database's name, <c>t_</c> and 32 hex digits.</param>
/// <param name="ConnectionString">An Npgsql connection string for it.</param>
/// <param name="Url">The same as a <c>postgres://</c> URL, the form Wharf's project files take.</param>
public sealed record TestDatabase(string Name, string ConnectionString, string Url)
{
    public override string ToString() => Name;
}
