using Microsoft.Extensions.Hosting;
using Wharf.Server.Api;

namespace Wharf.Server.Alerts;

/// <summary>
/// Raises <c>freshness_breached</c> when a pipeline's last success is older than its <c>freshness:</c>.
/// Looks every minute, or at half the shortest SLA when that is sooner; the routes' cooldown keeps a
/// stale pipeline from alerting on every look.
/// </summary>
internal sealed class FreshnessWatch(ProjectState state, ServerData data, Alerter alerter, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var slas = state.Project.Pipelines.Select(p => p.Freshness).OfType<TimeSpan>().ToList();
            var every = slas.Count == 0 ? TimeSpan.FromMinutes(1) : TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, slas.Min().Ticks / 2));
            await Task.Delay(every, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (slas.Count == 0 || state.Project.Alerts.IsEmpty || stoppingToken.IsCancellationRequested)
            {
                continue;
            }

            try
            {
                foreach (var pipeline in (await data.PipelinesAsync(stoppingToken)).Where(p => p.Stale && !p.Running))
                {
                    var age = pipeline.Freshness is { } f ? $"{f.TotalMinutes:F0} min ago" : "never";
                    await alerter.PublishAsync(new AlertEvent("freshness_breached", pipeline.Name,
                        $"Pipeline {pipeline.Name} is stale: last success {age}, SLA {pipeline.FreshnessSla!.Value.TotalMinutes:F0} min",
                        null, pipeline.LastRun?.RunId, "warn", time.GetUtcNow()), stoppingToken);
                }
            }
            catch (WharfException)
            {
                // The warehouse is unreachable: /ready says so; the next look tries again.
            }
        }
    }
}
