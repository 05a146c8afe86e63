using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Wharf.Projects;
using Wharf.Server.Alerts;
using Wharf.Server.Api;
using Wharf.Server.Dashboard;
using Wharf.Server.Hosting;
using Wharf.Server.Scheduling;

namespace Wharf.Server;

/// <summary><c>wharf serve</c>: one ASP.NET Core host with the scheduler, the JSON API, the pages and <c>/metrics</c>.</summary>
internal static class WharfServer
{
    /// <summary>Loads the project and builds the server; nothing listens until the app is started.</summary>
    /// <exception cref="ProjectFileException">wharf.yml is invalid.</exception>
    /// <exception cref="WharfException">The address is not loopback and no token is configured.</exception>
    public static async Task<WebApplication> BuildAsync(ServeOptions options, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(options.Verbose ? LogLevel.Debug : LogLevel.Information);
        // Kestrel's and routing's own information lines would drown Wharf's.
        builder.Logging.AddFilter("Microsoft", options.Verbose ? LogLevel.Information : LogLevel.Warning);

        var loopback = IsLoopback(options.Host);
        builder.WebHost.ConfigureKestrel(k => k.Listen(Address(options.Host), options.Port));
        // Past the grace period runs are cancelled; give their rollback a little time before the host gives up.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Grace + TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<ProjectState>();
        builder.Services.AddSingleton(new ServerMetrics(Metrics.DefaultRegistry));
        builder.Services.AddHttpClient("alerts", c => c.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<Alerter>();
        builder.Services.AddSingleton<RunCoordinator>();
        builder.Services.AddHostedService(s => s.GetRequiredService<RunCoordinator>());
        builder.Services.AddSingleton<Scheduler>();
        builder.Services.AddHostedService(s => s.GetRequiredService<Scheduler>());
        builder.Services.AddHostedService<ProjectWatcher>();
        builder.Services.AddHostedService<FreshnessWatch>();
        builder.Services.AddSingleton<ServerData>();

        var app = builder.Build();
        var state = app.Services.GetRequiredService<ProjectState>();
        await state.LoadAsync(cancellationToken);
        if (!loopback && state.Project.Server.Token is null)
        {
            throw new ServeException($"wharf serve would listen on {options.Host}, which other machines can reach, but {state.Project.File} sets no token. " +
                "Add 'server: { auth: { token: ${WHARF_TOKEN} } }' (and set WHARF_TOKEN), or listen on 127.0.0.1.");
        }

        var auth = new TokenAuth(state, loopback);
        app.Use((context, next) => auth.InvokeAsync(context, next));
        app.UseHttpMetrics();
        HealthEndpoints.Map(app);
        LoginEndpoints.Map(app);
        ApiEndpoints.Map(app);
        DashboardPages.Map(app);
        app.MapMetrics();
        var data = app.Services.GetRequiredService<ServerData>();
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async ct =>
        {
            // Freshness is computed from the audit trail at scrape time, so it is right after a restart too.
            foreach (var pipeline in await data.PipelinesAsync(ct))
            {
                if (pipeline.Freshness is { } age)
                {
                    metrics.Freshness.WithLabels(pipeline.Name).Set(age.TotalSeconds);
                }

                if (pipeline.FreshnessSla is { } sla)
                {
                    metrics.FreshnessSla.WithLabels(pipeline.Name).Set(sla.TotalSeconds);
                }
            }
        });
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Wharf.Server");
            foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            {
                ServerLog.Listening(logger, address);
            }
        });
        return app;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    private static IPAddress Address(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address
        : throw new ServeException($"--host must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::), not '{host}'.");
}

/// <summary><c>wharf serve</c> cannot start as asked (an unsafe address without a token, a bad --host).</summary>
internal sealed class ServeException(string message) : WharfException(message);
