using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Wharf.Projects;

namespace Wharf.Server.Alerts;

/// <summary>
/// Sends alerts to the webhooks of <c>alerts:</c>, in the background: retried on network errors,
/// 429 and 5xx, and held back by each route's cooldown so a failing schedule does not flood a channel.
/// </summary>
internal sealed class Alerter(ProjectState state, IHttpClientFactory clients, TimeProvider time, ILogger<Alerter> logger)
{
    private readonly ConcurrentDictionary<(string Alert, string Kind, string Pipeline), DateTimeOffset> lastSent = new();

    /// <summary>Routes <paramref name="alert"/> to every matching webhook; returns once all attempts are over.</summary>
    public Task PublishAsync(AlertEvent alert, CancellationToken cancellationToken)
    {
        var sends = new List<Task>();
        foreach (var route in state.Project.Alerts)
        {
            if (!route.Events.Contains(alert.Kind) || (!route.Pipelines.IsEmpty && !route.Pipelines.Contains(alert.Pipeline)))
            {
                continue;
            }

            var key = (route.Name, alert.Kind, alert.Pipeline);
            var now = time.GetUtcNow();
            if (lastSent.TryGetValue(key, out var last) && now - last < route.Cooldown)
            {
                ServerLog.AlertHeldBack(logger, route.Name, alert.Kind, alert.Pipeline, route.Cooldown);
                continue;
            }

            lastSent[key] = now;
            sends.Add(SendAsync(route, alert, cancellationToken));
        }

        return Task.WhenAll(sends);
    }

    private async Task SendAsync(AlertSettings route, AlertEvent alert, CancellationToken cancellationToken)
    {
        var body = AlertPayload.Of(alert, route.Format);
        var client = clients.CreateClient("alerts");
        for (var attempt = 0; ; attempt++)
        {
            string problem;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(route.Webhook, content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    ServerLog.AlertSent(logger, route.Name, alert.Kind, alert.Pipeline);
                    return;
                }

                problem = $"HTTP {(int)response.StatusCode}";
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    ServerLog.AlertFailed(logger, route.Name, alert.Kind, problem + " (not retried)");
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                // The message names the host, never the URL's path (where Slack and Teams put their secret).
                problem = $"{ex.HttpRequestError} ({route.Webhook.Host})";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = $"timeout ({route.Webhook.Host})";
            }

            if (attempt >= route.Retries)
            {
                ServerLog.AlertFailed(logger, route.Name, alert.Kind, $"{problem}; gave up after {attempt + 1} attempt(s)");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)), time, cancellationToken);
        }
    }
}
