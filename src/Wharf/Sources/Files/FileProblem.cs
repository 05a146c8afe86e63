namespace Wharf.Sources.Files;

/// <summary>Where a file stops being what its format says (CSV, JSON, UTF-8 text), found after DuckDB rejected it.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column, in characters.</param>
/// <param name="Message">What is wrong there, without a full stop.</param>
internal sealed record FileProblem(long Line, int Column, string Message);
