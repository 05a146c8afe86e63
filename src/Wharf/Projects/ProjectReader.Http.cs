using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>The keys of <c>http</c> connections and of the pipelines that read them.</summary>
internal sealed partial class ProjectReader
{
    private static readonly string[] ForEachKinds = ["dates", "values", "query"];
    private static readonly string[] HttpPipelineKeys =
        ["source", "endpoint", "method", "params", "headers", "body", "records", "paginate", "incremental", "for_each", "table", "schema", "mode", "primary_key",
         "detect_deletes", "deletes", "change_detection", "track"];

    private static readonly Dictionary<string, HttpAuthKind> AuthKinds = new(StringComparer.Ordinal)
    {
        ["bearer"] = HttpAuthKind.Bearer,
        ["basic"] = HttpAuthKind.Basic,
        ["api_key"] = HttpAuthKind.ApiKey,
        ["oauth2_client_credentials"] = HttpAuthKind.OAuth2ClientCredentials,
    };

    private static readonly Dictionary<string, PaginationKind> PaginationKinds = new(StringComparer.Ordinal)
    {
        ["none"] = PaginationKind.None,
        ["page_number"] = PaginationKind.PageNumber,
        ["offset"] = PaginationKind.Offset,
        ["cursor"] = PaginationKind.Cursor,
        ["next_url"] = PaginationKind.NextUrl,
        ["link_header"] = PaginationKind.LinkHeader,
    };

    private HttpConnectionSettings ReadHttpConnection(YamlMap map, string name)
    {
        var context = $"connection '{name}'";
        var soap = map.Get("endpoint") is not null || map.Get("version") is not null || map.Get("action") is not null;
        var urlKey = soap ? "endpoint" : "base_url";
        var baseUrlNode = map.Get(urlKey) ?? throw Error(map.Node, soap
            ? $"{context} needs 'endpoint:' (the SOAP service's URL, e.g. https://example.com/StockService.asmx)."
            : $"{context} needs 'base_url:' (e.g. https://api.example.com/v1).");
        var baseUrl = AbsoluteHttpUrl(baseUrlNode, Scalar(baseUrlNode, $"'{urlKey}' of {context}"), $"'{urlKey}' of {context}");
        var (caFile, skipTlsVerify) = ReadTls(map, context);

        var retry = map.Map("retry", ["attempts", "delay", "max_time"]);
        var rateLimit = map.String("rate_limit");
        return new HttpConnectionSettings
        {
            BaseUrl = baseUrl,
            Headers = Pairs(map.Map("headers", keys: null)),
            Timeout = Duration(map, "timeout", context) ?? TimeSpan.FromSeconds(30),
            CaFile = caFile,
            SkipTlsVerify = skipTlsVerify,
            Auth = map.Get("auth") is { } auth ? ReadHttpAuth(auth, context) : null,
            RateLimit = rateLimit is null ? null
                : double.TryParse(rateLimit, NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond) && perSecond > 0 ? perSecond
                : throw Error(map.Get("rate_limit")!, $"'rate_limit' of {context} is requests per second, a number above 0 (e.g. 5 or 0.5), not '{rateLimit}'."),
            MaxConcurrency = Math.Max(1, map.Int("max_concurrency") ?? 4),
            Retry = retry is null ? new HttpRetrySettings() : new HttpRetrySettings
            {
                Attempts = Math.Max(1, retry.Int("attempts") ?? 5),
                Delay = Duration(retry, "delay", context) ?? TimeSpan.FromSeconds(1),
                MaxTime = Duration(retry, "max_time", context) ?? TimeSpan.FromMinutes(5),
            },
            Check = map.String("check"),
            Soap = soap ? ReadSoapConnection(map, context) : null,
        };
    }

    private HttpAuthSettings ReadHttpAuth(YamlNode node, string context)
    {
        var map = new YamlMap(node, this, $"'auth' of {context}",
            ["type", "token", "user", "password", "name", "in", "key", "token_url", "client_id", "client_secret", "scopes"]);
        var typeText = map.RequiredString("type");
        var kind = AuthKinds.TryGetValue(typeText, out var found) ? found
            : throw Error(map.Get("type")!, $"'auth' of {context} has type '{typeText}'; expected one of {string.Join(", ", AuthKinds.Keys)}.");
        string Need(string key, string what) => map.String(key) ?? throw Error(node, $"auth type {typeText} of {context} needs '{key}:' ({what}, usually from ${{VAR}}).");
        var where = map.String("in") ?? "header";
        if (where is not ("header" or "query"))
        {
            throw Error(map.Get("in")!, $"'in' of the api_key auth of {context} must be header or query, not '{where}'.");
        }

        return kind switch
        {
            HttpAuthKind.Bearer => new HttpAuthSettings(kind) { Token = Need("token", "the bearer token") },
            HttpAuthKind.Basic => new HttpAuthSettings(kind) { User = Need("user", "the user name"), Password = Need("password", "the password") },
            HttpAuthKind.ApiKey => new HttpAuthSettings(kind)
            {
                Key = Need("key", "the API key"),
                InQuery = where == "query",
                Name = map.String("name") ?? (where == "query" ? "api_key" : "X-API-Key"),
            },
            _ => new HttpAuthSettings(kind)
            {
                TokenUrl = AbsoluteHttpUrl(map.Get("token_url") ?? throw Error(node, $"auth type {typeText} of {context} needs 'token_url:'."), Need("token_url", "the token endpoint"), $"'token_url' of {context}"),
                ClientId = Need("client_id", "the client id"),
                ClientSecret = Need("client_secret", "the client secret"),
                Scopes = map.StringList("scopes"),
            },
        };
    }

    /// <summary>The pipeline's <c>source:</c> when it names an <c>http</c> connection (its keys are not those of other pipelines).</summary>
    private static string? HttpSourceOf(YamlNode pipeline, ImmutableArray<ConnectionSettings> connections) =>
        pipeline is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("source"), out var source)
            && source is YamlScalarNode { Value: { } name } && connections.Any(c => c.Name == name && c.Type is "http" or "soap") ? name : null;

    /// <summary>A pipeline of an <c>http</c> connection.</summary>
    private PipelineSettings ReadHttpPipeline(string name, YamlNode value, string source, bool soap)
    {
        var context = $"pipeline '{name}'";
        var pipeline = new YamlMap(value, this, context, [.. (soap ? SoapPipelineKeys : HttpPipelineKeys).Union(RuleKeys).Concat(ServeKeys)]);
        var endpoint = soap ? pipeline.String("endpoint") ?? ""
            : pipeline.String("endpoint") ?? throw Error(value, $"{context} needs 'endpoint:' (a path under the connection's base_url, e.g. /movies, or an absolute URL).");
        var method = soap ? "POST" : (pipeline.String("method") ?? "GET").ToUpperInvariant();
        if (method is not ("GET" or "POST"))
        {
            throw Error(pipeline.Get("method")!, $"'method' of {context} must be GET or POST, not '{method}'.");
        }

        var mode = pipeline.Enum("mode", WriteMode.Append);
        if (mode is WriteMode.Merge or WriteMode.Scd2 && pipeline.StringList("primary_key").IsEmpty)
        {
            throw Error(pipeline.Get("mode")!, $"{context} uses mode: {mode.ToString().ToLowerInvariant()}, which works by key; add 'primary_key:' (a field of the records, or a list).");
        }

        var (httpIncremental, incremental) = ReadHttpIncremental(pipeline, name, context, mode);
        var forEach = pipeline.Get("for_each") is { } forEachNode ? ReadForEach(forEachNode, context) : null;
        if (forEach is not null && httpIncremental is not null)
        {
            throw Error(pipeline.Get("incremental")!, $"{context}: 'incremental:' and 'for_each:' cannot be combined yet (one watermark cannot say how far each partition got). Use one of them.");
        }

        var rules = ReadRules(pipeline, context);
        return new PipelineSettings
        {
            Name = name,
            Source = source,
            Http = new HttpRequestSettings
            {
                Endpoint = endpoint,
                Method = method,
                Params = Pairs(pipeline.Map("params", keys: null)),
                Headers = Pairs(pipeline.Map("headers", keys: null)),
                Body = pipeline.Get("body") is { } body ? JsonOf(body, $"'body' of {context}")?.ToJsonString() : null,
                Records = soap ? SoapRecordsKey : pipeline.String("records"),
                Paginate = pipeline.Get("paginate") is { } paginate ? ReadPagination(paginate, context, soap) : new PaginationSettings(PaginationKind.None),
                Incremental = httpIncremental,
                ForEach = forEach,
                Soap = soap ? ReadSoapRequest(pipeline, context) : null,
            },
            Table = pipeline.Get("table") is { } tableNode ? RequireIdentifier(tableNode, Scalar(tableNode, "'table'"), "table name") : name,
            Schema = pipeline.Get("schema") is { } schemaNode ? RequireIdentifier(schemaNode, Scalar(schemaNode, "'schema'"), "schema name") : "main",
            Mode = mode,
            PrimaryKey = pipeline.StringList("primary_key"),
            Incremental = incremental,
            Rules = rules,
            Location = Location(value),
        };
    }

    /// <summary><c>incremental: { param, cursor, initial, lookback, format }</c>, and the deletes keys beside it.</summary>
    private (HttpIncrementalSettings?, IncrementalSettings) ReadHttpIncremental(YamlMap pipeline, string name, string context, WriteMode mode)
    {
        var others = ReadIncremental(pipeline, name, mode);
        if (pipeline.Map("incremental", ["param", "cursor", "initial", "lookback", "format"]) is not { } map)
        {
            return (null, others);
        }

        if (mode == WriteMode.Replace)
        {
            throw Error(map.Node, $"{context}: mode: replace rebuilds the table from a full extract, so 'incremental:' would drop every record before the watermark. Use mode: merge (or append, scd2).");
        }

        var lookbackText = map.String("lookback");
        var settings = new HttpIncrementalSettings(
            map.String("param") ?? throw Error(map.Node, $"'incremental' of {context} needs 'param:' (the query parameter the watermark is sent as, e.g. updated_since)."),
            map.String("format") ?? "iso");
        return (settings, others with
        {
            Cursor = [map.String("cursor") ?? throw Error(map.Node, $"'incremental' of {context} needs 'cursor:' (the field of each record whose greatest value is saved, e.g. updated_at).")],
            Initial = map.String("initial"),
            Lookback = lookbackText is null ? null : Lookback.Parse(lookbackText)?.InEpochUnits(settings.Format)
                ?? throw Error(map.Get("lookback")!, $"'lookback' of {context} must be a duration such as 30s, 10m, 2h or 1d, or a number, not '{lookbackText}'."),
        });
    }

    private PaginationSettings ReadPagination(YamlNode node, string context, bool soap)
    {
        var map = new YamlMap(node, this, $"'paginate' of {context}",
            ["type", "page_param", "size_param", "size", "first_page", "offset_param", "limit_param", "limit", "total_path", "total_header", "max_pages", "cursor_path", "cursor_param", "next_path"]);
        var typeText = map.RequiredString("type");
        var kind = PaginationKinds.TryGetValue(typeText, out var found) ? found
            : throw Error(map.Get("type")!, $"'paginate' of {context} has type '{typeText}'; expected one of {string.Join(", ", PaginationKinds.Keys)}.");
        var settings = new PaginationSettings(kind)
        {
            PageParam = map.String("page_param") ?? "page",
            SizeParam = map.String("size_param"),
            Size = map.Int("size"),
            FirstPage = map.Int("first_page") ?? 1,
            OffsetParam = map.String("offset_param") ?? "offset",
            LimitParam = map.String("limit_param") ?? "limit",
            Limit = map.Int("limit"),
            TotalPath = map.String("total_path"),
            TotalHeader = map.String("total_header"),
            MaxPages = map.Int("max_pages"),
            CursorPath = map.String("cursor_path") ?? "next_cursor",
            CursorParam = map.String("cursor_param") ?? "cursor",
            NextPath = map.String("next_path") ?? "next",
        };
        if (soap)
        {
            return kind == PaginationKind.PageNumber
                ? settings with { InBody = true, TotalPath = settings.TotalPath is null ? null : SoapTotalKey }
                : throw Error(map.Get("type")!, $"'paginate' of {context} (a SOAP pipeline) can only be page_number, with {{{{ {settings.PageParam} }}}} in the envelope.");
        }

        return kind == PaginationKind.Offset && settings.Limit is null or 0
            ? throw Error(node, $"'paginate' of {context} (offset) needs 'limit:' (records per page, sent as '{settings.LimitParam}').")
            : settings;
    }

    private ForEachSettings ReadForEach(YamlNode node, string context)
    {
        var map = new YamlMap(node, this, $"'for_each' of {context}", ["dates", "values", "query", "include"]);
        var kinds = ForEachKinds.Where(k => map.Get(k) is not null).ToList();
        if (kinds.Count != 1)
        {
            throw Error(node, $"'for_each' of {context} needs exactly one of dates: {{ from, to, step }}, values: [...] or query: \"select … from a warehouse table\".");
        }

        var include = map.Map("include", keys: null) is { } includeMap ? Pairs(includeMap) : (ImmutableArray<KeyValuePair<string, string>>?)null;
        switch (kinds[0])
        {
            case "dates":
                var dates = map.Map("dates", ["from", "to", "step"])!;
                return new ForEachSettings(ForEachKind.Dates)
                {
                    From = dates.String("from") ?? throw Error(dates.Node, $"'dates' of {context} needs 'from:' (a date such as 2024-01-01)."),
                    To = dates.String("to") ?? "today",
                    Step = Duration(dates, "step", context) ?? TimeSpan.FromDays(1),
                    Include = include,
                };
            case "values":
                return new ForEachSettings(ForEachKind.Values) { Values = map.StringList("values"), Include = include };
            default:
                return new ForEachSettings(ForEachKind.Query) { Query = map.String("query"), Include = include };
        }
    }

    /// <summary>A duration: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c>, or a number of seconds.</summary>
    private TimeSpan? Duration(YamlMap map, string key, string context)
    {
        if (map.String(key) is not { } text)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.EndsWith("ms", StringComparison.Ordinal) && int.TryParse(trimmed[..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds <= Lookback.MaxSeconds ? TimeSpan.FromSeconds(seconds)
            : Lookback.Parse(trimmed)?.Duration is { } duration && duration > TimeSpan.Zero ? duration
            : throw Error(map.Get(key)!, $"'{key}' of {context} must be a duration such as 500ms, 30s, 10m, 2h or 1d, not '{text}'.");
    }

    private Uri AbsoluteHttpUrl(YamlNode node, string text, string what) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
        : throw Error(node, $"{what} must be an absolute http:// or https:// URL, not '{ConnectionUrl.Redact(text)}'.");

    /// <summary>A mapping of names to single values, in the order written.</summary>
    private ImmutableArray<KeyValuePair<string, string>> Pairs(YamlMap? map) => map is null ? []
        : [.. map.Entries.Select(e => KeyValuePair.Create(e.Key, Scalar(e.Value, $"'{e.Key}'")))];

    /// <summary>A YAML value as JSON: plain scalars that look like numbers, booleans or null keep that type; quoted ones are strings.</summary>
    private JsonNode? JsonOf(YamlNode node, string what) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(Scalar(p.Key, what), JsonOf(p.Value, what)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(item => JsonOf(item, what))]),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Scalar(scalar, what) switch
        {
            "null" or "~" or "" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            var text when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            var text => JsonValue.Create(text),
        },
        _ => JsonValue.Create(Scalar(node, what)),
    };

    /// <summary>A connection's <c>tls: { ca_file, insecure_skip_verify }</c> (HTTP, SOAP, WebDAV): the CA file must exist.</summary>
    /// <param name="otherKeys">Keys of <c>tls:</c> that the caller reads itself (FTP's <c>mode</c>).</param>
    private (string? CaFile, bool SkipVerify) ReadTls(YamlMap connection, string context, params string[] otherKeys)
    {
        var tls = connection.Map("tls", ["ca_file", "insecure_skip_verify", .. otherKeys]);
        var caFile = tls?.String("ca_file") is { } ca ? Path.GetFullPath(Path.Combine(root, ca)) : null;
        if (caFile is not null && !File.Exists(caFile))
        {
            throw Error(tls!.Get("ca_file")!, $"the CA file {caFile} of {context} does not exist.");
        }

        return (caFile, tls?.Bool("insecure_skip_verify") ?? false);
    }
}
