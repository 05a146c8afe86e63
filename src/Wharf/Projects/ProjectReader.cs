using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Wharf.DuckDb;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>Turns the YAML tree of wharf.yml into a validated <see cref="Project"/>.</summary>
internal sealed partial class ProjectReader(string root, string file, Interpolation interpolation)
{
    /// <summary>The <c>path:</c> of a DuckDB connection whose database lives in memory, made by its <c>init_sql:</c>.</summary>
    internal const string DuckDbMemory = ":memory:";

    private static readonly string[] SupportedConnectionTypes = ["files", "s3", "sftp", "ftp", "webdav", "postgres", "mysql", "sqlite", "duckdb", "http", "soap", "rabbitmq", "nats"];

    private static readonly string[] WarehouseKeys = ["url", "memory_limit", "threads"];
    private static readonly string[] TopKeys = ["warehouse", "lake", "lake_retention", "connections", "pipelines", "models", "seeds", "vars", "exports", "lineage", "schedules", "server", "alerts"];
    private static readonly Dictionary<string, string[]> ConnectionKeys = new()
    {
        ["files"] = ["type", "path"],
        ["s3"] = ["type", "bucket", "prefix", "region", "endpoint", "path_style", "access_key", "secret_key"],
        ["sftp"] = ["type", "host", "port", "user", "password", "private_key", "passphrase", "known_hosts", "host_key_fingerprint", "path"],
        ["ftp"] = ["type", "host", "port", "user", "password", "tls", "path"],
        ["webdav"] = ["type", "url", "user", "password", "token", "tls"],
        ["sqlite"] = ["type", "path"],
        ["duckdb"] = ["type", "path", "init_sql"],
        ["postgres"] = ["type", "url", "host", "port", "user", "password", "database", "sslmode", "sslrootcert", "sslcert", "sslkey"],
        ["mysql"] = ["type", "url", "host", "port", "user", "password", "database", "ssl_mode", "sslmode", "zero_dates", "spatial"],
        ["http"] = ["type", "base_url", "headers", "timeout", "tls", "auth", "rate_limit", "max_concurrency", "retry", "check"],
        ["rabbitmq"] = ["type", "url", "user", "password", "management_url"],
        ["nats"] = ["type", "url", "user", "password", "credentials"],
        ["soap"] = ["type", "endpoint", "version", "action", "headers", "timeout", "tls", "auth", "rate_limit", "max_concurrency", "retry", "check"],
    };

    private static readonly string[] FilePipelineKeys = ["source", "files", "format", "csv", "excel", "table", "schema", "mode", "primary_key", "incremental", "after_load"];
    private static readonly string[] DatabasePipelineKeys = ["source", "tables", "query", "table", "schema", "mode", "primary_key", "keys", "parallel", "per_table", "load_order", "foreign_keys"];
    private static readonly string[] IncrementalKeys = ["cursor", "lookback", "initial", "detect_deletes", "deletes", "change_detection", "track", "chunk_rows", "first_load"];
    private static readonly string[] CsvKeys = ["delimiter", "header", "quote", "escape", "encoding", "null", "date_format", "timestamp_format", "skip"];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    public Project Read(YamlNode document)
    {
        var top = new YamlMap(document, this, "the project file", TopKeys);
        var warehouse = ReadWarehouse(top.Get("warehouse"));
        var (lake, lakeS3) = ReadLake(top);
        var models = ReadModelSettings(top);
        // A project of models alone (over tables something else loads) needs no pipelines.
        var modelsOnly = top.Get("models") is not null || Directory.Exists(Path.Combine(root, "models"));
        var connectionMap = top.Map("connections", keys: null);
        var pipelineMap = top.Map("pipelines", keys: null);
        var connections = connectionMap is null && modelsOnly ? []
            : ReadConnections(connectionMap ?? throw Error(document, "the project file needs 'connections:' (where data comes from)."));
        var pipelines = pipelineMap is null && modelsOnly ? []
            : ReadPipelines(pipelineMap ?? throw Error(document, "the project file needs 'pipelines:' (what to load)."), connections);
        return new Project(root, file, warehouse, lake, connections, pipelines)
        {
            LakeS3 = lakeS3,
            LakeRetention = ReadRetention(top, "at the top of the project file"),
            Models = models,
            Exports = ReadExports(top.Map("exports", keys: null)),
            OpenLineage = ReadLineage(top.Map("lineage", keys: null)),
            Schedules = ReadSchedules(top.Map("schedules", keys: null), pipelines, connections),
            Server = ReadServer(top.Map("server", ServerKeys)),
            Alerts = ReadAlerts(top.Map("alerts", keys: null), pipelines),
        };
    }

    private ModelSettings ReadModelSettings(YamlMap top)
    {
        OrderedDictionary<string, object?> Mapping(string key) => top.Get(key) switch
        {
            null => new(StringComparer.Ordinal),
            YamlMappingNode map => YamlValues.Map(map),
            var other => throw Error(other, $"'{key}' must be a mapping (e.g. {key}: {{ staging: {{ materialized: view }} }})."),
        };

        return new ModelSettings { Folders = Mapping("models"), Seeds = Mapping("seeds"), Vars = Mapping("vars"), File = file };
    }

    private WarehouseSettings ReadWarehouse(YamlNode? node)
    {
        if (node is null)
        {
            return new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(root, "warehouse.duckdb"));
        }

        if (node is YamlMappingNode)
        {
            // The long form: warehouse: { url: duckdb:warehouse.duckdb, memory_limit: 1GB, threads: 2 }
            var map = new YamlMap(node, this, "'warehouse'", WarehouseKeys);
            var url = map.Get("url") is { } urlNode ? ReadWarehouseUrl(urlNode) : ReadWarehouse(null);
            return url with { Limits = ReadDuckDbLimits(map) };
        }

        return ReadWarehouseUrl(node);
    }

    private WarehouseSettings ReadWarehouseUrl(YamlNode node)
    {
        var value = Scalar(node, "'warehouse'");
        return WarehouseUrl.Parse(value, root, new SourceLocation(file, (int)node.Start.Line, (int)node.Start.Column))
            ?? throw Error(node, $"'warehouse' must be 'duckdb:FILE' (a DuckDB database file, relative to the project), not '{ConnectionUrl.Redact(value)}'.");
    }

    private DuckDbLimits ReadDuckDbLimits(YamlMap map)
    {
        var memory = DuckDbLimits.Default.MemoryLimit;
        if (map.Get("memory_limit") is { } memoryNode)
        {
            memory = Scalar(memoryNode, "'memory_limit' in 'warehouse'").Trim();
            if (!DuckDbLimits.IsMemorySize(memory))
            {
                throw Error(memoryNode, $"'memory_limit' in 'warehouse' must be a size such as 512MB or 2GB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), not '{memory}'.");
            }
        }

        var threads = map.Int("threads");
        if (threads is < 1 or > DuckDbLimits.MaxThreads)
        {
            throw Error(map.Get("threads")!, $"'threads' in 'warehouse' must be between 1 and {DuckDbLimits.MaxThreads}, not {threads}.");
        }

        return new DuckDbLimits(memory, threads);
    }

    private ImmutableArray<ConnectionSettings> ReadConnections(YamlMap map)
    {
        var connections = ImmutableArray.CreateBuilder<ConnectionSettings>();
        foreach (var (name, _, value) in map.Entries)
        {
            var type = ReadConnectionType(name, value);
            var connection = new YamlMap(value, this, $"connection '{name}'", ConnectionKeys[type]);
            var settings = new ConnectionSettings(name, type)
            {
                Path = type == "duckdb" && connection.String("path") == DuckDbMemory ? DuckDbMemory : Path.GetFullPath(Path.Combine(root, connection.String("path") ?? ".")),
                InitSql = connection.String("init_sql"),
                Url = connection.String("url"),
                Host = connection.String("host"),
                Port = connection.Int("port"),
                User = connection.String("user"),
                Password = connection.String("password"),
                Database = connection.String("database"),
                SslMode = connection.String("sslmode") ?? connection.String("ssl_mode"),
                SslRootCert = connection.String("sslrootcert"),
                SslCert = connection.String("sslcert"),
                SslKey = connection.String("sslkey"),
                Http = type is "http" or "soap" ? ReadHttpConnection(connection, name) : null,
                S3 = type == "s3" ? ReadS3(connection, value, name) : null,
                Sftp = type == "sftp" ? ReadSftp(connection, value, name) : null,
                Ftp = type == "ftp" ? ReadFtp(connection, value, name) : null,
                WebDav = type == "webdav" ? ReadWebDav(connection, value, name) : null,
                ZeroDates = ReadZeroDates(connection),
                Spatial = connection.Enum("spatial", SpatialFormat.Wkt),
                Credentials = connection.String("credentials") is { } creds ? Path.GetFullPath(Path.Combine(root, creds)) : null,
                ManagementUrl = connection.String("management_url"),
                Location = new SourceLocation(file, (int)value.Start.Line, (int)value.Start.Column),
            };
            if (type == "postgres" && settings.Url is null && settings.Host is null)
            {
                throw Error(value, $"connection '{name}' needs 'url:' (postgres://user@host:5432/database, with the password from ${{VAR}}) or 'host:' and 'database:'.");
            }

            if (type == "postgres" && settings.Url is not null && !settings.Url.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !settings.Url.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            {
                throw Error(connection.Get("url")!, $"the url of connection '{name}' must start with postgres:// (e.g. postgres://user@host:5432/database).");
            }

            if (type == "postgres")
            {
                // Checked now, so a bad URL or sslmode names its line in wharf.yml and is a usage error.
                _ = PostgresConnectionString.For(settings);
            }

            if (type == "mysql")
            {
                CheckMySql(settings, connection, value, name);
            }

            if (IsBroker(type))
            {
                CheckBroker(settings, connection, value, name);
            }

            if (type == "sqlite" && connection.Get("path") is null)
            {
                throw Error(value, $"connection '{name}' needs 'path:' (the SQLite database file).");
            }

            if (type == "duckdb" && connection.Get("path") is null)
            {
                throw Error(value, $"connection '{name}' needs 'path:' (the DuckDB database file, or \":memory:\" with 'init_sql:').");
            }

            if (type == "duckdb" && settings.Path == DuckDbMemory && settings.InitSql is null)
            {
                throw Error(value, $"connection '{name}' reads an in-memory DuckDB database, which starts empty; add 'init_sql:' (the SQL that creates its tables).");
            }

            connections.Add(settings);
        }

        return connections.ToImmutable();
    }

    /// <summary><c>zero_dates: null</c> is YAML's null, which reads as an absent key: told apart here.</summary>
    private static ZeroDates ReadZeroDates(YamlMap connection) =>
        connection.Node is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode("zero_dates")) && connection.Get("zero_dates") is null
            ? ZeroDates.Null
            : connection.Enum("zero_dates", ZeroDates.Error);

    private void CheckMySql(ConnectionSettings settings, YamlMap connection, YamlNode value, string name)
    {
        if (settings.Url is null && settings.Host is null)
        {
            throw Error(value, $"connection '{name}' needs 'url:' (mysql://user@host:3306/database, with the password from ${{VAR}}) or 'host:' and 'database:'.");
        }

        if (settings.Url is not null && !MySqlConnectionString.IsMySqlUrl(settings.Url))
        {
            throw Error(connection.Get("url")!, $"the url of connection '{name}' must start with mysql:// or mariadb:// (e.g. mysql://user@host:3306/database).");
        }

        // Checked now, so a bad URL or ssl_mode names its line in wharf.yml.
        _ = MySqlConnectionString.For(settings);
    }

    private string ReadConnectionType(string name, YamlNode value)
    {
        var connection = value as YamlMappingNode ?? throw Error(value, $"connection '{name}' must be a mapping of keys to values.");
        var typeNode = connection.Children.TryGetValue(new YamlScalarNode("type"), out var found) ? found
            : throw Error(value, $"connection '{name}' needs 'type:' (one of: {string.Join(", ", SupportedConnectionTypes)}).");
        var type = Scalar(typeNode, $"'type' of connection '{name}'");
        return SupportedConnectionTypes.Contains(type) ? type
            : throw Error(typeNode, $"connection type '{type}' is not supported by this version of Wharf. Supported: {string.Join(", ", SupportedConnectionTypes)}.");
    }

    private ImmutableArray<PipelineSettings> ReadPipelines(YamlMap map, ImmutableArray<ConnectionSettings> connections)
    {
        var pipelines = ImmutableArray.CreateBuilder<PipelineSettings>();
        foreach (var (name, keyNode, value) in map.Entries)
        {
            RequireIdentifier(keyNode, name, "pipeline name");
            if (HttpSourceOf(value, connections) is { } httpSource)
            {
                pipelines.Add(ReadHttpPipeline(name, value, httpSource, connections.First(c => c.Name == httpSource).Type == "soap") with { Freshness = Freshness(value, name), Deviation = Deviation(value, name), LakeRetention = Retention(value, name) });
                continue;
            }

            if (BrokerSourceOf(value, connections) is { } broker)
            {
                pipelines.Add(ReadStreamPipeline(name, value, broker) with { Freshness = Freshness(value, name), Deviation = Deviation(value, name), LakeRetention = Retention(value, name) });
                continue;
            }

            var pipeline = new YamlMap(value, this, $"pipeline '{name}'", [.. FilePipelineKeys.Union(DatabasePipelineKeys).Union(IncrementalKeys).Union(RuleKeys).Concat(ServeKeys)]);
            var sourceNode = pipeline.Get("source") ?? throw Error(value, $"pipeline '{name}' needs 'source:' (the name of a connection).");
            var source = Scalar(sourceNode, $"'source' of pipeline '{name}'");
            if (connections.All(c => c.Name != source))
            {
                throw Error(sourceNode, connections.IsEmpty
                    ? $"pipeline '{name}' reads from '{source}', but no connections are declared. Add it under 'connections:'."
                    : $"pipeline '{name}' reads from '{source}', but there is no such connection. Connections: {string.Join(", ", connections.Select(c => c.Name))}.");
            }

            var connection = connections.First(c => c.Name == source);
            var isFiles = connection.HoldsFiles;
            pipeline.RejectKeys(isFiles ? DatabasePipelineKeys.Except(FilePipelineKeys) : FilePipelineKeys.Except(DatabasePipelineKeys),
                isFiles ? $"applies to database connections, and '{source}' is a files connection" : $"applies to files connections, and '{source}' is a {connection.Type} connection");
            var files = pipeline.StringList("files");
            var tables = pipeline.StringList("tables");
            var query = pipeline.String("query");
            if (isFiles && files.IsEmpty)
            {
                throw Error(value, $"pipeline '{name}' needs 'files:' (a glob such as \"orders/*.csv\", relative to the connection's path).");
            }

            if (!isFiles && tables.IsEmpty == (query is null))
            {
                throw Error(value, $"pipeline '{name}' needs either 'tables:' (e.g. [\"public.*\", \"!public.audit_log\"]) or 'query:' (with 'table:' naming the target), not both.");
            }

            var mode = pipeline.Enum("mode", WriteMode.Append);
            if (mode is WriteMode.Merge or WriteMode.Scd2 && pipeline.StringList("primary_key").IsEmpty && (isFiles || query is not null))
            {
                throw Error(pipeline.Get("mode")!, $"pipeline '{name}' uses mode: {mode.ToString().ToLowerInvariant()}, which works by key; add 'primary_key:' (a column or a list of columns).");
            }

            var table = pipeline.Get("table") is { } tableNode ? RequireIdentifier(tableNode, Scalar(tableNode, "'table'"), "table name") : name;
            var schema = pipeline.Get("schema") is { } schemaNode ? RequireIdentifier(schemaNode, Scalar(schemaNode, "'schema'"), "schema name") : "main";
            var rules = ReadRules(pipeline, $"pipeline '{name}'");
            var settings = new PipelineSettings
            {
                Name = name,
                Source = source,
                Files = files,
                Tables = tables,
                Query = query,
                Keys = pipeline.Bool("keys") ?? false,
                Parallel = pipeline.Int("parallel") is { } parallel ? Math.Max(1, parallel) : PipelineSettings.DefaultParallel,
                Format = pipeline.Enum("format", FileFormat.Auto),
                Csv = ReadCsv(pipeline.Map("csv", CsvKeys)),
                Excel = ReadExcel(pipeline.Map("excel", ["sheet", "header_row", "range", "skip_rows"]), $"pipeline '{name}'"),
                Table = table,
                Schema = schema,
                Mode = mode,
                PrimaryKey = pipeline.StringList("primary_key"),
                Incremental = ReadIncremental(pipeline, name, mode) with { NewFilesOnly = ReadNewFilesOnly(pipeline, name) },
                AfterLoad = ReadAfterLoad(pipeline, name, connection),
                Rules = rules,
                PerTable = ReadPerTable(pipeline.Map("per_table", keys: null), rules, $"pipeline '{name}'"),
                LoadOrder = pipeline.StringList("load_order"),
                DeclaredForeignKeys = ReadDeclaredForeignKeys(pipeline.Map("foreign_keys", keys: null), name),
                Location = new SourceLocation(file, (int)value.Start.Line, (int)value.Start.Column),
            };
            pipelines.Add(settings with { Freshness = Freshness(value, name), Deviation = Deviation(value, name), LakeRetention = Retention(value, name) });
        }

        if (pipelines.Count == 0)
        {
            throw Error(map.Node, "'pipelines:' is empty; declare at least one pipeline.");
        }

        return pipelines.ToImmutable();
    }

    /// <summary>The incremental keys, checked against each other and the write mode.</summary>
    private IncrementalSettings ReadIncremental(YamlMap pipeline, string name, WriteMode mode)
    {
        var cursor = pipeline.StringList("cursor");
        var lookbackText = pipeline.String("lookback");
        var changeDetection = pipeline.Enum("change_detection", ChangeDetection.None);
        var detectDeletes = pipeline.Bool("detect_deletes") ?? false;
        var deletes = pipeline.Enum("deletes", DeleteMode.Hard);
        var track = pipeline.StringList("track");
        var chunkRows = pipeline.Int("chunk_rows");
        var modeName = mode.ToString().ToLowerInvariant();

        void Require(bool condition, string key, string problem)
        {
            if (!condition)
            {
                throw Error(pipeline.Get(key)!, $"pipeline '{name}': {problem}");
            }
        }

        foreach (var key in new[] { "lookback", "initial", "chunk_rows", "first_load" })
        {
            Require(pipeline.Get(key) is null || !cursor.IsEmpty, key, $"'{key}' applies to a cursor; add 'cursor:' (e.g. cursor: updated_at).");
        }

        Require(cursor.IsEmpty || mode != WriteMode.Replace, "cursor", "mode: replace rebuilds the table from a full extract, so a cursor would drop every row before the watermark. Use mode: merge (or append, scd2) with a cursor.");
        Require(changeDetection == ChangeDetection.None || cursor.IsEmpty, "change_detection", "'change_detection: hash' is for sources without a cursor column; remove 'cursor:' or 'change_detection:'.");
        Require(changeDetection == ChangeDetection.None || mode is WriteMode.Merge or WriteMode.Scd2, "change_detection", $"'change_detection: hash' needs mode: merge or scd2 (it applies changes by key), not {modeName}.");
        Require(!detectDeletes || mode is WriteMode.Merge or WriteMode.Scd2, "detect_deletes", $"'detect_deletes' needs mode: merge or scd2 (deletes are matched by key); mode: {modeName} {(mode == WriteMode.Replace ? "already drops what the source no longer has" : "only adds rows")}.");
        Require(pipeline.Get("deletes") is null || detectDeletes || changeDetection == ChangeDetection.Hash, "deletes", "'deletes:' says how detected deletes are applied; add 'detect_deletes: true'.");
        Require(track.IsEmpty || mode == WriteMode.Scd2, "track", "'track:' picks the columns whose change opens a new history version; it needs mode: scd2.");
        Require(chunkRows is null or >= 1000, "chunk_rows", "'chunk_rows' must be at least 1000 (each chunk is one commit).");
        var lookback = lookbackText is null ? null : Lookback.Parse(lookbackText)
            ?? throw Error(pipeline.Get("lookback")!, $"pipeline '{name}': 'lookback' must be a duration such as 30s, 10m, 2h or 1d (for time cursors) or a number (for numeric cursors), not '{lookbackText}'.");
        return new IncrementalSettings
        {
            Cursor = cursor,
            Lookback = lookback,
            Initial = pipeline.String("initial"),
            DetectDeletes = detectDeletes || changeDetection == ChangeDetection.Hash,
            Deletes = deletes,
            ChangeDetection = changeDetection,
            Track = track,
            ChunkRows = chunkRows,
            FirstLoad = pipeline.Enum("first_load", FirstLoad.Whole),
        };
    }

    private static CsvOptions ReadCsv(YamlMap? map)
    {
        if (map is null)
        {
            return new CsvOptions();
        }

        var options = new CsvOptions
        {
            Delimiter = map.String("delimiter"),
            Header = map.Bool("header"),
            Quote = map.String("quote"),
            Escape = map.String("escape"),
            Encoding = map.String("encoding"),
            NullStrings = map.StringList("null"),
            DateFormat = map.String("date_format"),
            TimestampFormat = map.String("timestamp_format"),
            Skip = map.Int("skip"),
        };
        return options;
    }

    private string RequireIdentifier(YamlNode node, string value, string what) => Identifier().IsMatch(value)
        ? value
        : throw Error(node, $"the {what} '{value}' can only hold letters, digits and underscores and must not start with a digit (it becomes a SQL identifier and a lake folder). Try '{Suggest(value, what)}'.");

    private static string Suggest(string value, string what)
    {
        var cleaned = Regex.Replace(value.Trim().ToLowerInvariant(), "[^a-z0-9_]+", "_").Trim('_');
        return cleaned.Length == 0 ? "my_" + what.Split(' ')[0] : char.IsDigit(cleaned[0]) ? "_" + cleaned : cleaned;
    }

    /// <summary>A scalar's text with <c>${VAR}</c> references expanded.</summary>
    public string Scalar(YamlNode node, string what)
    {
        if (node is not YamlScalarNode scalar)
        {
            throw Error(node, $"{what} must be a single value, not a {(node is YamlSequenceNode ? "list" : "mapping")}.");
        }

        return interpolation.Expand(scalar.Value ?? "", problem => Error(node, problem));
    }

    public ProjectFileException Error(YamlNode node, string problem) =>
        new(file, (int)node.Start.Line, (int)node.Start.Column, problem);
}
