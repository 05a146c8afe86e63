using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Wharf.Projects;

namespace Wharf.OpenLineage;

/// <summary>
/// Sends events to the OpenLineage endpoint (<c>POST /api/v1/lineage</c>, as Marquez takes them),
/// three tries with growing pauses; what it cannot send goes to the file, with a warning. With no
/// URL, events go to the file alone. Never throws: lineage is a record of the run, not part of it.
/// </summary>
internal sealed class OpenLineageTransport(OpenLineageSettings settings, ILogger logger, HttpClient? client = null) : IDisposable
{
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)];
    private readonly HttpClient http = client ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    private bool warned;

    /// <summary>Events that went to the file because the endpoint did not take them.</summary>
    public int Deferred { get; private set; }

    public async Task SendAsync(JsonObject @event, CancellationToken cancellationToken)
    {
        var body = @event.ToJsonString();
        if (settings.Url is { } url)
        {
            var endpoint = url.TrimEnd('/').EndsWith("/api/v1/lineage", StringComparison.Ordinal) ? url : url.TrimEnd('/') + "/api/v1/lineage";
            string? problem = null;
            for (var attempt = 0; attempt <= Pauses.Length; attempt++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    if (settings.ApiKey is { } key)
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    }

                    using var response = await http.SendAsync(request, cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }

                    problem = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    problem = ex.Message;
                }

                if (attempt < Pauses.Length)
                {
                    await Task.Delay(Pauses[attempt], cancellationToken);
                }
            }

            Deferred++;
            if (!warned)
            {
                warned = true;
                OpenLineageLog.Deferred(logger, endpoint, problem ?? "no answer", settings.File);
            }
        }

        await AppendAsync(body, cancellationToken);
    }

    private async Task AppendAsync(string line, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(settings.File)!);
            await File.AppendAllTextAsync(settings.File, line + "\n", cancellationToken);
        }
        catch (IOException ex)
        {
            OpenLineageLog.Lost(logger, settings.File, ex.Message);
        }
    }

    public void Dispose()
    {
        if (client is null)
        {
            http.Dispose();
        }
    }
}

internal static partial class OpenLineageLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "OpenLineage: {Endpoint} did not take the events ({Problem}); they are kept in {File} to send later")]
    public static partial void Deferred(ILogger logger, string endpoint, string problem, string file);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "OpenLineage: an event could not be written to {File} ({Problem}); it is lost")]
    public static partial void Lost(ILogger logger, string file, string problem);
}
