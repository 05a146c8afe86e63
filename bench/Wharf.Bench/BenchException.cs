namespace Wharf.Bench;

/// <summary>The benchmark cannot go on (missing input, unexpected output); exit code 1.</summary>
internal class BenchException(string message) : Exception(message);

/// <summary>The command line was wrong; exit code 2, with the usage.</summary>
internal sealed class BenchUsageException(string message) : BenchException(message);
