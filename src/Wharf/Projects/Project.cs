using System.Collections.Immutable;
using Wharf.DuckDb;

namespace Wharf.Projects;

/// <summary>A validated <c>wharf.yml</c>: every path is absolute, every reference resolved.</summary>
internal sealed record Project(
    string Directory,
    string File,
    WarehouseSettings Warehouse,
    string LakeDirectory,
    ImmutableArray<ConnectionSettings> Connections,
    ImmutableArray<PipelineSettings> Pipelines)
{
    /// <summary>The name of the file Wharf looks for in a project folder.</summary>
    public const string FileName = "wharf.yml";

    /// <summary>
    /// The lake's bucket when the lake is on S3 (<c>lake: s3://bucket/prefix/</c>); null for a local
    /// lake. <see cref="LakeDirectory"/> is then the local staging folder runs write to before uploading.
    /// </summary>
    public S3Settings? LakeS3 { get; init; }

    /// <summary>How long lake extracts are kept (<c>lake_retention:</c>); null: for ever. A pipeline may override it.</summary>
    public LakeRetention? LakeRetention { get; init; }

    /// <summary>Where the lake is, as messages name it: its folder, or <c>s3://bucket/prefix/</c>.</summary>
    public string LakeDescription => LakeS3?.Describe() ?? LakeDirectory;

    /// <summary>Where models, seeds, tests and macros are, and their configuration by folder.</summary>
    public ModelSettings Models { get; init; } = new();

    /// <summary>Files written from the warehouse after the models they read are built (<c>exports:</c>).</summary>
    public ImmutableArray<ExportSettings> Exports { get; init; } = [];

    /// <summary>Where OpenLineage events of runs and builds go; null: nowhere.</summary>
    public OpenLineageSettings? OpenLineage { get; init; }

    /// <summary>When pipelines run by themselves under <c>wharf serve</c> (<c>schedules:</c>).</summary>
    public ImmutableArray<ScheduleSettings> Schedules { get; init; } = [];

    /// <summary>How <c>wharf serve</c> is protected (<c>server:</c>).</summary>
    public ServerSettings Server { get; init; } = new();

    /// <summary>Where <c>wharf serve</c> sends alerts (<c>alerts:</c>).</summary>
    public ImmutableArray<AlertSettings> Alerts { get; init; } = [];

    public ConnectionSettings Connection(string name) => Connections.First(c => c.Name == name);

    /// <summary>The pipelines to run: all of them, or the named ones in the order given.</summary>
    /// <exception cref="WharfException">A name matches no pipeline.</exception>
    public ImmutableArray<PipelineSettings> Select(IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return Pipelines;
        }

        return [.. names.Select(name => Pipelines.FirstOrDefault(p => p.Name == name) ?? throw new PipelineNotFoundException(name,
            $"There is no pipeline named '{name}' in {File}. Pipelines: {string.Join(", ", Pipelines.Select(p => p.Name))}."))];
    }
}

/// <summary>Where tables are loaded.</summary>
/// <param name="Kind">The warehouse engine.</param>
/// <param name="Location">For DuckDB, the absolute path of the database file; for PostgreSQL, empty (see <see cref="Connection"/>).</param>
internal sealed record WarehouseSettings(WarehouseKind Kind, string Location)
{
    /// <summary>For PostgreSQL: how to reach the server (holds the password: never print it).</summary>
    public ConnectionSettings? Connection { get; init; }

    /// <summary>How much memory and how many threads the DuckDB inside Wharf may use (the warehouse file, or a PostgreSQL warehouse's work area).</summary>
    public DuckDbLimits Limits { get; init; } = DuckDbLimits.Default;
}

internal enum WarehouseKind
{
    DuckDb,
    Postgres,
}

/// <summary>What a MySQL zero date (<c>0000-00-00</c>, or a date with a zero month or day) becomes: never a wrong date.</summary>
internal enum ZeroDates
{
    /// <summary>The extract fails, naming table, column and row.</summary>
    Error,

    /// <summary>NULL.</summary>
    Null,
}

/// <summary>How MySQL spatial values are carried: as well-known text or well-known binary.</summary>
internal enum SpatialFormat
{
    Wkt,
    Wkb,
}

/// <summary>A named source of data (<c>connections:</c> in wharf.yml).</summary>
/// <param name="Name">The key under <c>connections:</c>.</param>
/// <param name="Type">The connection type: <c>files</c>, <c>postgres</c>, <c>mysql</c>, <c>sqlite</c>, <c>duckdb</c>, <c>http</c>, <c>soap</c>, <c>rabbitmq</c> or <c>nats</c>.</param>
internal sealed record ConnectionSettings(string Name, string Type)
{
    /// <summary>For <c>files</c>: the absolute folder that globs are relative to; for <c>sqlite</c>: the database file.</summary>
    public string Path { get; init; } = "";

    /// <summary>For <c>postgres</c>: <c>postgres://user:password@host:port/database?sslmode=…</c>; for <c>mysql</c>: <c>mysql://…</c>. May hold a secret: never print it.</summary>
    public string? Url { get; init; }

    public string? Host { get; init; }

    public int? Port { get; init; }

    public string? User { get; init; }

    /// <summary>A secret: never printed, logged or audited.</summary>
    public string? Password { get; init; }

    public string? Database { get; init; }

    /// <summary>disable, allow, prefer, require, verify-ca or verify-full.</summary>
    public string? SslMode { get; init; }

    /// <summary>The CA certificate (PEM) the server's certificate must chain to (<c>verify-ca</c>, <c>verify-full</c>).</summary>
    public string? SslRootCert { get; init; }

    /// <summary>The client certificate (PEM), for servers that authenticate clients by certificate.</summary>
    public string? SslCert { get; init; }

    /// <summary>The client certificate's private key (PEM). A secret's path: the file is never printed.</summary>
    public string? SslKey { get; init; }

    /// <summary>For <c>duckdb</c>: SQL run once when the source opens, e.g. to build an in-memory database (<c>path: ":memory:"</c>).</summary>
    public string? InitSql { get; init; }

    /// <summary>For <c>http</c>: the API and how to talk to it (holds secrets: never print it).</summary>
    public HttpConnectionSettings? Http { get; init; }

    /// <summary>For <c>s3</c>: the bucket, prefix and credentials (holds a secret: never print it).</summary>
    public S3Settings? S3 { get; init; }

    /// <summary>For <c>sftp</c>: the server, the user and how the host key is verified (holds secrets: never print it).</summary>
    public SftpSettings? Sftp { get; init; }

    /// <summary>For <c>ftp</c>: the server, its TLS and how to log in (holds secrets: never print it).</summary>
    public FtpSettings? Ftp { get; init; }

    /// <summary>For <c>webdav</c>: the folder's URL and how to log in (holds secrets: never print it).</summary>
    public WebDavSettings? WebDav { get; init; }

    /// <summary>Whether pipelines read files from this connection (a folder, a bucket): <c>files:</c> globs, formats, <c>incremental: files</c>.</summary>
    public bool HoldsFiles => Type is "files" or "s3" or "sftp" or "ftp" or "webdav";

    /// <summary>
    /// A message broker: what it delivered and was acknowledged cannot be read again, so
    /// <c>--full-refresh</c> cannot rebuild its tables from it (the lake can: <c>wharf replay</c>).
    /// </summary>
    public bool DeliversOnce => Type is "rabbitmq" or "nats";

    /// <summary>For <c>mysql</c>: what a zero date (<c>0000-00-00</c>) becomes (<c>zero_dates:</c>).</summary>
    public ZeroDates ZeroDates { get; init; } = ZeroDates.Error;

    /// <summary>For <c>mysql</c>: how spatial columns are carried (<c>spatial:</c>).</summary>
    public SpatialFormat Spatial { get; init; } = SpatialFormat.Wkt;

    /// <summary>For <c>nats</c>: a credentials file (JWT and NKey seed) to authenticate with. A secret's path: the file is never printed.</summary>
    public string? Credentials { get; init; }

    /// <summary>For <c>rabbitmq</c>: the management HTTP API that lists the queues (<c>discover</c>); null for <c>http://HOST:15672</c>.</summary>
    public string? ManagementUrl { get; init; }

    /// <summary>Where the connection is declared.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>Hides secrets from <see cref="object.ToString"/>, which records would otherwise print in full.</summary>
    public override string ToString() => $"{Name} ({Type})";
}
