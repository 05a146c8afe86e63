using System.Globalization;
using System.Text.RegularExpressions;

namespace Wharf.DuckDb;

/// <summary>
/// How much memory and how many threads a DuckDB database inside Wharf may use. DuckDB's own
/// default memory limit is 80% of the machine's memory, and it keeps what a load wrote in its
/// buffer pool up to that limit: a 20M-row load peaked at 1.1 GB. Past the limit DuckDB evicts
/// written blocks and spills what it still needs to a temporary folder, so a limit bounds the
/// process however big the table is.
/// </summary>
/// <param name="MemoryLimit">DuckDB's <c>memory_limit</c>, e.g. <c>512MB</c> or <c>2GiB</c>.</param>
/// <param name="Threads">DuckDB's <c>threads</c>, or null for DuckDB's default (one per core).</param>
internal sealed partial record DuckDbLimits(string MemoryLimit, int? Threads)
{
    /// <summary>What every DuckDB in Wharf gets unless wharf.yml says otherwise.</summary>
    public static readonly DuckDbLimits Default = new("512MB", null);

    /// <summary>The most threads that make sense to ask for.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Whether <paramref name="text"/> is a size DuckDB's <c>memory_limit</c> accepts (a number and a unit).</summary>
    public static bool IsMemorySize(string text) => Size().IsMatch(text);

    /// <summary>The bytes a size means to DuckDB: <c>KB</c>, <c>MB</c>… are powers of 1000, <c>KiB</c>, <c>MiB</c>… of 1024.</summary>
    /// <exception cref="ArgumentException">Not a size (<see cref="IsMemorySize"/>).</exception>
    public static double Bytes(string size)
    {
        var match = Size().Match(size);
        if (!match.Success)
        {
            throw new ArgumentException($"'{size}' is not a memory size.", nameof(size));
        }

        var unit = match.Groups[2].Value.ToUpperInvariant();
        var power = "BKMGT".IndexOf(unit[0], StringComparison.Ordinal);
        var scale = unit.Length == 3 ? 1024.0 : unit == "B" ? 1 : 1000.0;
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * Math.Pow(scale, power);
    }

    /// <summary>The settings to open a database with: the limits, and where an in-memory database spills.</summary>
    /// <param name="spillFolder">Where DuckDB writes what does not fit (a file database has its own <c>FILE.tmp</c> folder already).</param>
    public IReadOnlyDictionary<string, string> ToSettings(string? spillFolder = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["memory_limit"] = MemoryLimit };
        if (Threads is { } threads)
        {
            settings["threads"] = threads.ToString(CultureInfo.InvariantCulture);
        }

        if (spillFolder is not null)
        {
            settings["temp_directory"] = spillFolder;
        }

        return settings;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Size();
}
