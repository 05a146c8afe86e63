using System.Globalization;
using System.Text.Json;
using Wharf.Projects;

namespace Wharf.Sources.Streams;

/// <summary>
/// RabbitMQ's management HTTP API, which can list a vhost's queues (AMQP cannot): at the
/// connection's <c>management_url</c>, else <c>http://HOST:15672</c>, with the AMQP user and password
/// (which need RabbitMQ's <c>management</c> or <c>monitoring</c> tag). Never prints the password.
/// </summary>
internal static class RabbitMqManagement
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The API's base URL, as messages show it.</summary>
    public static Uri BaseUrl(ConnectionSettings connection, BrokerUrl url)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(url);
        var text = connection.ManagementUrl ?? $"http://{url.Host}:15672";
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }

    /// <summary>Every queue of the vhost with its ready messages and consumers, in name order.</summary>
    /// <exception cref="ManagementUnavailableException">The API did not answer, or refused the user: the message says which.</exception>
    public static async Task<IReadOnlyList<BrokerQueue>> QueuesAsync(ConnectionSettings connection, BrokerUrl url, CancellationToken cancellationToken)
    {
        var api = BaseUrl(connection, url);
        var request = new Uri(api, $"api/queues/{Uri.EscapeDataString(url.Vhost)}?columns=name,messages_ready,consumers");
        using var client = new HttpClient { Timeout = Timeout };
        using var message = new HttpRequestMessage(HttpMethod.Get, request);
        message.Headers.Authorization = Http.HttpAuth.Basic(url.User, url.Password);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ManagementUnavailableException($"the management API at {api} did not answer ({url.Mask(ex.Message)})", ex);
        }

        using (response)
        {
            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                throw new ManagementUnavailableException($"the management API at {api} refused user '{url.User}' ({(int)response.StatusCode}: it needs RabbitMQ's management or monitoring tag)", null);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ManagementUnavailableException($"the management API at {api} answered {(int)response.StatusCode} {response.ReasonPhrase}", null);
            }

            try
            {
                using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                return [.. document.RootElement.EnumerateArray()
                    .Select(q => new BrokerQueue(q.GetProperty("name").GetString()!, "queue", Count(q, "messages_ready"), Count(q, "consumers"), []))
                    .OrderBy(q => q.Name, StringComparer.Ordinal)];
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                throw new ManagementUnavailableException($"the management API at {api} did not answer with a list of queues", ex);
            }
        }
    }

    /// <summary>A count the API may leave out (a queue that just started has no message stats yet).</summary>
    private static long Count(JsonElement queue, string name) =>
        queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}

/// <summary>The management API cannot list the queues; the message says why, without the password.</summary>
internal sealed class ManagementUnavailableException(string message, Exception? inner) : Exception(message, inner);
