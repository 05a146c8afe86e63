namespace Wharf.Projects;

/// <summary>
/// A pipeline's <c>deviation:</c>: how far a run may stray from the pipeline's recent runs before
/// <c>wharf serve</c> raises a <c>deviation</c> alert. Each limit is a fraction of the median of the
/// last <see cref="Runs"/> successful runs (0.5 for <c>50%</c>), in either direction.
/// </summary>
internal sealed record DeviationSettings
{
    /// <summary>The rows loaded by the run (<c>rows: 50%</c>), or null for no limit.</summary>
    public double? Rows { get; init; }

    /// <summary>The run's duration (<c>duration: 200%</c>), or null for no limit.</summary>
    public double? Duration { get; init; }

    /// <summary>How many earlier successful runs the median is taken over.</summary>
    /// <value>10.</value>
    public int Runs { get; init; } = 10;

    /// <summary>Fewer earlier runs than this and nothing is judged (a new pipeline has no normal yet).</summary>
    /// <value>3.</value>
    public int MinRuns { get; init; } = 3;
}
