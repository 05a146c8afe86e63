namespace Wharf.Projects;

/// <summary>
/// How long lake extracts are kept (<c>lake_retention:</c>), per stream. A run's files are
/// removed after a successful run when they are outside every limit given — older than
/// <see cref="KeepDays"/> and beyond the <see cref="KeepRuns"/> newest runs — and only when a
/// replay of the current tables does not need them.
/// </summary>
internal sealed record LakeRetention
{
    /// <summary>Keep the extracts of runs started in the last so many days (<c>keep_days:</c>); null: no limit by age.</summary>
    public int? KeepDays { get; init; }

    /// <summary>Keep the extracts of the newest so many runs of each stream (<c>keep_runs:</c>); null: no limit by count.</summary>
    public int? KeepRuns { get; init; }

    public override string ToString() =>
        string.Join(", ", new[] { KeepDays is { } d ? $"keep_days: {d}" : null, KeepRuns is { } r ? $"keep_runs: {r}" : null }.OfType<string>());
}
