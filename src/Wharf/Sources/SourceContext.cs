using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wharf.Sources;

/// <summary>What a run lends its sources besides their settings: the lake folder, logging, time, and read access to the warehouse.</summary>
internal sealed record SourceContext
{
    /// <summary>The lake's folder; sources that stage data on disk do it under <c>&lt;lake&gt;/&lt;pipeline&gt;/.spool</c>. Null when nothing may be written (a dry run).</summary>
    public string? LakeDirectory { get; init; }

    /// <summary>The lake earlier runs wrote (a folder or S3), for what a source compares with them; null in a dry run.</summary>
    public Lake.ILakeStore? Lake { get; init; }

    public ILogger Logger { get; init; } = NullLogger.Instance;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long to keep trying while another process holds a source file for writing (a DuckDB file; <c>--wait</c>).</summary>
    public TimeSpan WaitForLock { get; init; }

    /// <summary>Runs a query on the warehouse and returns its rows, every value as text (<c>for_each: { query: }</c>); null outside a run.</summary>
    public Func<string, CancellationToken, Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>>>? QueryWarehouse { get; init; }

    /// <summary>Reads a query's rows as text: the list a source iterates over (parent rows), bounded by the parent table.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string?>> Rows(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new List<IReadOnlyDictionary<string, string?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }
}
