namespace Wharf.Models;

/// <summary>What templates know of the warehouse (<c>target.type</c>, <c>target.schema</c>) and of the run (<c>--var</c>, the environment).</summary>
/// <param name="Type"><c>duckdb</c> or <c>postgres</c>, as dbt's adapters call them.</param>
internal sealed record ModelTarget(string Type, string Schema)
{
    /// <summary><c>--var KEY=VALUE</c>: ahead of the project's <c>vars:</c>.</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
