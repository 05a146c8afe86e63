using System.CommandLine;
using Wharf.Server;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf serve</c>: the scheduler, dashboard, JSON API and /metrics, until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "The address to listen on. Anything but loopback needs server: auth: token in wharf.yml.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The TCP port (0: any free one; the log says which).", DefaultValueFactory = _ => 8080 };
        var grace = new Option<string>("--grace")
        {
            Description = "On SIGTERM/SIGINT, how long running pipelines may take to finish before they are cancelled (their transaction rolls back): 30s, 2m.",
            DefaultValueFactory = _ => "30s",
        };
        var command = new Command("serve", "Run the project's schedules and serve the dashboard, the JSON API, /health, /ready and /metrics.") { host, port, grace };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var options = new ServeOptions(parse.GetValue(CommonOptions.Project)!)
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port) is var p and >= 0 and <= 65535 ? p : throw new UsageException($"--port must be between 0 and 65535, not {parse.GetValue(port)}."),
                Grace = ParseGrace(parse.GetValue(grace)!),
                Verbose = parse.GetValue(CommonOptions.Verbose),
            };
            await using var app = await WharfServer.BuildAsync(options, TimeProvider.System, cancellationToken);
            try
            {
                // The host handles SIGTERM and SIGINT itself: it stops the scheduler, then waits out the grace period.
                await app.RunAsync();
            }
            catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                throw new ServeException($"wharf serve cannot listen on {options.Host}:{options.Port} ({ex.Message}). Pick another --port (0 takes any free one) or stop what is using it.");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static TimeSpan ParseGrace(string text)
    {
        var trimmed = text.Trim();
        var (number, unit) = trimmed.EndsWith("ms", StringComparison.Ordinal) ? (trimmed[..^2], 0.001)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1.0)
            : trimmed.EndsWith('m') ? (trimmed[..^1], 60.0)
            : trimmed.EndsWith('h') ? (trimmed[..^1], 3600.0)
            : (trimmed, 1.0);
        return double.TryParse(number, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? TimeSpan.FromSeconds(value * unit)
            : throw new UsageException($"--grace must be a duration such as 30s, 2m or 500ms, not '{text}'.");
    }
}
