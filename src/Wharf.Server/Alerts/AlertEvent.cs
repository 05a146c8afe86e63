namespace Wharf.Server.Alerts;

/// <summary>Something <c>wharf serve</c> tells people about.</summary>
/// <param name="Kind">One of <see cref="Projects.AlertSettings.EventNames"/>.</param>
/// <param name="Pipeline">The pipeline it is about.</param>
/// <param name="Summary">One line: what happened.</param>
/// <param name="Details">More: the error, the failing checks. Errors are already free of secrets (Wharf masks them where they are raised).</param>
/// <param name="RunId">The run it comes from, for the link to its page.</param>
/// <param name="Severity">error, warn or info.</param>
internal sealed record AlertEvent(string Kind, string Pipeline, string Summary, string? Details, string? RunId, string Severity, DateTimeOffset At);
