using DuckDB.NET.Data;

namespace Wharf.DuckDb;

/// <summary>
/// An error DuckDB reported, as one of Wharf's own (so the runner and the CLI handle it like any
/// other failure): DuckDB.NET's <see cref="DuckDBException"/> is the inner exception, and
/// <see cref="Summary"/> is its message in one line.
/// </summary>
public sealed class DuckDbException : WharfException
{
    internal DuckDbException(DuckDBException error, string? sql = null)
        : base(error.Message, error)
    {
        Sql = sql;
    }

    /// <summary>An error Wharf read from DuckDB's C API itself (<see cref="DuckDbChunkReader"/>).</summary>
    internal DuckDbException(string message, string? sql)
        : base(string.IsNullOrEmpty(message) ? "DuckDB failed without a message." : message)
    {
        Sql = sql;
    }

    /// <summary>The statement that failed, when there was one.</summary>
    public string? Sql { get; }

    /// <summary>DuckDB's message in one line, for Wharf's own error paragraphs.</summary>
    public string Summary => Condense(Message);

    /// <summary>What to do when DuckDB ran out of its memory limit (<see cref="IsOutOfMemory"/>), as the end of a sentence.</summary>
    internal const string RaiseMemoryLimit = "raise DuckDB's memory limit in wharf.yml (warehouse: { url: …, memory_limit: 2GB }) and run again";

    /// <summary>Whether <paramref name="error"/> is DuckDB out of its memory limit, as DuckDB.NET reports it or wrapped in Wharf's errors.</summary>
    internal static bool IsOutOfMemory(Exception? error) => error is not null
        && (error is DuckDBException { ErrorType: DuckDB.NET.Native.DuckDBErrorType.OutOfMemory } || IsOutOfMemory(error.InnerException));

    /// <summary>DuckDB's first lines, without its SQL excerpt and its generic list of fixes.</summary>
    internal static string Condense(string message)
    {
        var cut = message.Length;
        foreach (var marker in new[] { "\nLINE ", "Possible fixes", "Potential Fixes", "\n\n" })
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0 && at < cut)
            {
                cut = at;
            }
        }

        var text = string.Join("; ", message[..cut].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.EndsWith('.') ? text : text + ".";
    }
}
