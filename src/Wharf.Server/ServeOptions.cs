namespace Wharf.Server;

/// <summary>How <c>wharf serve</c> runs: which project, where it listens, how long running work may take to finish on shutdown.</summary>
/// <param name="ProjectDirectory">The folder that holds wharf.yml.</param>
internal sealed record ServeOptions(string ProjectDirectory)
{
    /// <summary>The address to listen on; anything but loopback needs <c>server: auth: token</c>.</summary>
    /// <value>127.0.0.1.</value>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (printed in the "listening" log line).</summary>
    /// <value>8080.</value>
    public int Port { get; init; } = 8080;

    /// <summary>How long running pipelines may take to finish after SIGTERM/SIGINT before they are cancelled.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Debug logging.</summary>
    public bool Verbose { get; init; }

    /// <summary>Where <c>${VAR}</c> is looked up (after .env); null for the process environment.</summary>
    public Func<string, string?>? Environment { get; init; }
}
