namespace Wharf.Projects;

/// <summary>The <c>server:</c> section of wharf.yml, read by <c>wharf serve</c>.</summary>
internal sealed record ServerSettings
{
    /// <summary>The bearer token that state-changing requests (and, off loopback, every page) must carry. A secret: never print it.</summary>
    public string? Token { get; init; }

    /// <summary>Whether <c>/metrics</c> and <c>/health</c> answer without the token.</summary>
    /// <value>true.</value>
    public bool OpenMetrics { get; init; } = true;

    /// <summary>Hides the token from <see cref="object.ToString"/>.</summary>
    public override string ToString() => Token is null ? "server (no auth)" : "server (token auth)";
}
