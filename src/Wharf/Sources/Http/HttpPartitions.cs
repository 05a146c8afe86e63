using System.Globalization;
using System.Text.Json;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>The partitions of a <c>for_each:</c>: dates from … to … by step, a list of values, or the rows of a warehouse query.</summary>
internal static class HttpPartitions
{
    /// <summary>More partitions than this is a step too small, not a plan.</summary>
    private const int MostPartitions = 1_000_000;

    public static async Task<IReadOnlyList<Partition>> ListAsync(ForEachSettings? forEach, SourceContext context, string pipeline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (forEach?.Kind)
        {
            case null:
                return [Partition.Whole];
            case ForEachKind.Values:
                return [.. forEach.Values.Select((value, i) => Make(i, value, new Dictionary<string, string> { ["value"] = value }, forEach, []))];
            case ForEachKind.Dates:
                return Dates(forEach, context.Time.GetUtcNow(), pipeline);
            default:
                var query = context.QueryWarehouse ?? throw new WharfException($"Pipeline '{pipeline}': 'for_each: {{ query: }}' reads the warehouse, which only a run can do.");
                IReadOnlyList<IReadOnlyDictionary<string, string?>> rows;
                try
                {
                    rows = await query(forEach.Query!, cancellationToken);
                }
                catch (WharfException ex)
                {
                    throw new WharfException($"Pipeline '{pipeline}': the for_each query failed on the warehouse: {ex.Message} Check the query (its tables must be loaded first, e.g. by an earlier pipeline).", ex);
                }

                return [.. rows.Select((row, i) =>
                {
                    var variables = row.ToDictionary(c => c.Key, c => c.Value ?? "", StringComparer.Ordinal);
                    return Make(i, JsonSerializer.Serialize(variables), variables, forEach, [.. row.Keys.Select(k => KeyValuePair.Create("parent_" + k, k))]);
                })];
        }
    }

    private static Partition Make(int index, string key, Dictionary<string, string> variables, ForEachSettings forEach, IReadOnlyList<KeyValuePair<string, string>> defaultColumns)
    {
        var include = forEach.Include is { } declared ? declared : [.. defaultColumns];
        var columns = include.Select(c => KeyValuePair.Create(c.Key, variables.TryGetValue(c.Value, out var value) ? value
            : throw new WharfException($"'include' names the variable '{c.Value}' for column {c.Key}, which is not one of the partition's: {string.Join(", ", variables.Keys)}."))).ToList();
        return new Partition(index, key, variables, columns);
    }

    /// <summary>
    /// One partition per step from <c>from</c> to <c>to</c> (inclusive): <c>{{ date }}</c> is the
    /// start's day, <c>{{ start }}</c> and <c>{{ end }}</c> the step's bounds (days when the step is
    /// whole days and <c>from</c> a date, else ISO 8601 times in UTC).
    /// </summary>
    private static List<Partition> Dates(ForEachSettings forEach, DateTimeOffset now, string pipeline)
    {
        var from = Moment(forEach.From!, now, pipeline, "from");
        var to = Moment(forEach.To!, now, pipeline, "to");
        var days = forEach.Step.Ticks % TimeSpan.TicksPerDay == 0 && !forEach.From!.Contains(':', StringComparison.Ordinal);
        string Text(DateTimeOffset moment) => moment.UtcDateTime.ToString(days ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var partitions = new List<Partition>();
        for (var start = from; start <= to; start += forEach.Step)
        {
            if (partitions.Count == MostPartitions)
            {
                throw new WharfException($"Pipeline '{pipeline}': for_each dates from {forEach.From} to {forEach.To} by {forEach.Step} makes more than {MostPartitions:N0} partitions. Use a larger step.");
            }

            var variables = new Dictionary<string, string>
            {
                ["date"] = start.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["start"] = Text(start),
                ["end"] = Text(start + forEach.Step),
            };
            partitions.Add(Make(partitions.Count, variables["start"], variables, forEach, []));
        }

        return partitions;
    }

    private static DateTimeOffset Moment(string text, DateTimeOffset now, string pipeline, string key) => text.Trim().ToLowerInvariant() switch
    {
        "today" => new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero),
        "yesterday" => new DateTimeOffset(now.UtcDateTime.Date.AddDays(-1), TimeSpan.Zero),
        "now" => now,
        _ => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment) ? moment
            : throw new WharfException($"Pipeline '{pipeline}': for_each dates '{key}' is '{text}', which is not a date (2024-01-01), a time (2024-01-01T06:00:00Z), today or yesterday."),
    };
}
