using System.Text;
using System.Text.Json;

namespace Wharf.Sources.Http;

/// <summary>
/// One page's body, parsed: the whole page is in memory once (a page, never the stream), and its
/// records are found where <c>records:</c> says, or where they obviously are. A body that is not
/// JSON (an HTML error page sent with 200, a proxy's text) or lacks the records is refused with
/// what was found instead.
/// </summary>
internal sealed class PageBody : IDisposable
{
    private readonly JsonDocument document;

    private PageBody(JsonDocument document, JsonElement records)
    {
        this.document = document;
        Records = records;
    }

    public JsonElement Root => document.RootElement;

    /// <summary>The array of records.</summary>
    public JsonElement Records { get; }

    /// <exception cref="PagingException">The body is not JSON, or has no records where expected; the message says what it holds.</exception>
    public static async Task<PageBody> ReadAsync(Stream body, string? contentType, string? recordsPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var start = await StartAsync(body, cancellationToken);
        if (contentType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true || start.TrimStart().StartsWith('<'))
        {
            throw new PagingException($"it is an HTML page{(contentType is null ? "" : $" ({contentType})")}, not JSON: \"{HttpFailure.Snippet(start)}\". " +
                "The API may be down for maintenance, behind a login page, or the endpoint may be wrong");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new PagingException($"it is not valid JSON ({ex.Message.Split(" Path:", 2)[0].TrimEnd('.')}, line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): \"{HttpFailure.Snippet(start)}\"");
        }

        try
        {
            return new PageBody(document, Find(document.RootElement, recordsPath));
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static JsonElement Find(JsonElement root, string? path)
    {
        if (path is not null)
        {
            if (!JsonPath.TryGet(root, path, out var found))
            {
                throw new PagingException($"it has no '{path}' (records:){Keys(root)}");
            }

            return found.ValueKind == JsonValueKind.Array ? found
                : throw new PagingException($"its '{path}' (records:) is {JsonPath.Describe(found.ValueKind)}, not a list of records");
        }

        if (root.ValueKind == JsonValueKind.Array)
        {
            return root;
        }

        var lists = root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).ToList() : [];
        return lists.Count switch
        {
            1 => lists[0].Value,
            0 => throw new PagingException($"it is {JsonPath.Describe(root.ValueKind)} without a list of records{Keys(root)}; set 'records:' to the path of the records"),
            _ => throw new PagingException($"it has several lists ({string.Join(", ", lists.Select(l => l.Name))}); set 'records:' to the one that holds the records"),
        };
    }

    private static string Keys(JsonElement root) => root.ValueKind == JsonValueKind.Object
        ? $"; its top-level keys are: {string.Join(", ", root.EnumerateObject().Select(p => p.Name).Take(20))}"
        : $"; it is {JsonPath.Describe(root.ValueKind)}";

    /// <summary>The first characters of the body, for the checks and messages; the stream is rewound.</summary>
    private static async Task<string> StartAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[512];
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        body.Position = 0;
        return Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF');
    }

    public void Dispose() => document.Dispose();
}
