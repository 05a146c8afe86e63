using Wharf.Projects;

namespace Wharf.OpenLineage;

/// <summary>
/// Datasets named by OpenLineage's conventions: <c>postgres://host:port</c> with
/// <c>database.schema.table</c>; a DuckDB warehouse as <c>duckdb:///path/file.duckdb</c> with
/// <c>schema.table</c>; files as <c>file://</c> with their path; SQLite as <c>sqlite:///path</c>;
/// an HTTP API as its scheme, host and port, with the endpoint; a broker as <c>amqp://host:port</c> or
/// <c>nats://host:port</c> with the queue or stream. Never a password.
/// </summary>
internal static class OpenLineageDatasets
{
    public static OpenLineageEvent.Dataset Table(WarehouseSettings warehouse, string table) => warehouse.Kind == WarehouseKind.Postgres && warehouse.Connection is { } connection
        ? new OpenLineageEvent.Dataset(Postgres(connection).Namespace, $"{Postgres(connection).Database}.{table}")
        : new OpenLineageEvent.Dataset("duckdb://" + ToUriPath(warehouse.Location), table);

    /// <summary>What a pipeline's stream reads.</summary>
    public static OpenLineageEvent.Dataset Source(Project project, PipelineSettings pipeline, string stream)
    {
        var connection = project.Connection(pipeline.Source);
        return connection.Type switch
        {
            "postgres" => new OpenLineageEvent.Dataset(Postgres(connection).Namespace,
                $"{Postgres(connection).Database}.{(pipeline.Query is not null ? "query:" + pipeline.Name : stream.Contains('.', StringComparison.Ordinal) ? stream : "public." + stream)}"),
            "mysql" => MySql(connection, pipeline.Query is not null ? "query:" + pipeline.Name : stream),
            "sqlite" => new OpenLineageEvent.Dataset("sqlite://" + ToUriPath(connection.Path), pipeline.Query is not null ? "query:" + pipeline.Name : stream),
            "files" => new OpenLineageEvent.Dataset("file://", ToUriPath(Path.Combine(connection.Path, string.Join(",", pipeline.Files)))),
            "s3" when connection.S3 is { } s3 => new OpenLineageEvent.Dataset($"s3://{s3.Bucket}", s3.Prefix + string.Join(",", pipeline.Files)),
            "sftp" when connection.Sftp is { } sftp => new OpenLineageEvent.Dataset($"sftp://{sftp.Host}:{sftp.Port}", sftp.RemotePath.TrimEnd('/') + "/" + string.Join(",", pipeline.Files)),
            "ftp" when connection.Ftp is { } ftp => new OpenLineageEvent.Dataset($"ftp://{ftp.Host}:{ftp.Port}", (ftp.RemotePath ?? "").TrimEnd('/') + "/" + string.Join(",", pipeline.Files)),
            "webdav" when connection.WebDav is { } dav => new OpenLineageEvent.Dataset($"{dav.Url.Scheme}://{dav.Url.Authority}", dav.Url.AbsolutePath + string.Join(",", pipeline.Files)),
            "http" when connection.Http is { } http => new OpenLineageEvent.Dataset($"{http.BaseUrl.Scheme}://{http.BaseUrl.Authority}", pipeline.Http?.Endpoint ?? stream),
            "rabbitmq" or "nats" when connection.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var broker) =>
                new OpenLineageEvent.Dataset($"{broker.Scheme}://{broker.Host}:{broker.Port}", pipeline.Stream?.Queue ?? pipeline.Stream?.Stream ?? stream),
            _ => new OpenLineageEvent.Dataset($"{connection.Type}://{connection.Name}", stream),
        };
    }

    private static (string Namespace, string Database) Postgres(ConnectionSettings connection)
    {
        if (connection.Url is { } text && Uri.TryCreate(text.Replace("postgresql://", "postgres://", StringComparison.OrdinalIgnoreCase), UriKind.Absolute, out var url))
        {
            return ($"postgres://{url.Host}:{(url.Port > 0 ? url.Port : 5432)}", (connection.Database ?? url.AbsolutePath.Trim('/')) is { Length: > 0 } database ? database : "postgres");
        }

        return ($"postgres://{connection.Host}:{connection.Port ?? 5432}", connection.Database ?? "postgres");
    }

    /// <summary>OpenLineage's MySQL naming: <c>mysql://host:port</c>, <c>database.table</c>.</summary>
    private static OpenLineageEvent.Dataset MySql(ConnectionSettings connection, string table)
    {
        var builder = new MySqlConnector.MySqlConnectionStringBuilder(MySqlConnectionString.For(connection));
        var name = table.Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(builder.Database) ? table : $"{builder.Database}.{table}";
        return new OpenLineageEvent.Dataset($"mysql://{builder.Server}:{builder.Port}", name);
    }

    private static string ToUriPath(string path) => "/" + Path.GetFullPath(path).TrimStart('/').Replace('\\', '/');
}
