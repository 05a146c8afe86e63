using System.Data.Common;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Server.Api;

/// <summary>
/// Adds to audit rows the results of their checks from <c>_wharf.check_results</c>: the audit list
/// leaves them out, and the overview (failing checks) and a run's page show them.
/// </summary>
internal static class RunChecks
{
    public static async Task<IReadOnlyList<RunRecord>> AddAsync(IWarehouse warehouse, IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken)
    {
        if (runs.Count == 0)
        {
            return runs;
        }

        // Run ids begin with their UTC start time, so one range holds every listed run's results.
        var oldest = runs.Select(r => r.RunId).Min(StringComparer.Ordinal)!;
        var checks = new Dictionary<(string Run, string Stream), List<CheckResult>>();
        await using var connection = await warehouse.ConnectAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "select run_id, stream, table_name, check_name, check_kind, severity, status, failing_rows, checked_rows, message " +
            $"from _wharf.check_results where run_id >= {Quote.Literal(oldest)} order by checked_at";
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!checks.TryGetValue(key, out var list))
                {
                    checks[key] = list = [];
                }

                list.Add(new CheckResult(reader.GetString(2), reader.GetString(3), Parse<CheckKind>(reader.GetString(4)), Parse<CheckSeverity>(reader.GetString(5)),
                    Parse<CheckStatus>(reader.GetString(6)), reader.GetInt64(7), reader.GetInt64(8), reader.GetString(9)));
            }
        }
        catch (DbException)
        {
            // A warehouse from before check results were recorded: the runs without them.
            return runs;
        }

        return [.. runs.Select(r => checks.TryGetValue((r.RunId, r.Stream), out var found) ? r with { Checks = [.. found] } : r)];
    }

    /// <summary>not_null → NotNull, warn → Warn: the audit writes enum names in snake case.</summary>
    private static T Parse<T>(string name)
        where T : struct, Enum =>
        Enum.TryParse<T>(name.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var value) ? value : default;
}
