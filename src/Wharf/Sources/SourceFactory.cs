using Wharf.Projects;
using Wharf.Sources.Files;

namespace Wharf.Sources;

/// <summary>Picks the source implementation for a connection type. A source that holds its database open (DuckDB) is <see cref="IAsyncDisposable"/>: dispose it after the pipeline.</summary>
internal static class SourceFactory
{
    /// <param name="context">What a run lends the source (lake folder, logging, warehouse queries); a dry run's when null.</param>
    public static ISource Create(ConnectionSettings connection, PipelineSettings pipeline, SourceContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Type switch
        {
            _ when connection.HoldsFiles => new FileSource(connection, pipeline, context),
            "postgres" => new Sql.Postgres.PostgresSource(connection, pipeline),
            "mysql" => new Sql.MySql.MySqlSource(connection, pipeline),
            "sqlite" => new Sql.Sqlite.SqliteSource(connection, pipeline),
            "duckdb" => new Sql.DuckDb.DuckDbSource(connection, pipeline, context ?? new SourceContext()),
            "rabbitmq" or "nats" => new Streams.MessageSource(connection, pipeline, context ?? new SourceContext()),
            "http" or "soap" => new Http.HttpSource(connection, pipeline, context ?? new SourceContext()),
            _ => throw new SourceException(connection.Name, pipeline.Table, $"Connection '{connection.Name}' has type '{connection.Type}', which this version of Wharf cannot read."),
        };
    }
}
