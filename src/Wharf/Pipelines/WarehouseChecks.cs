using System.Collections.Immutable;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Pipelines;

/// <summary>
/// <c>wharf check</c>: runs the pipelines' declared checks on what the warehouse tables hold now,
/// without extracting or loading, in the warehouse's own SQL. Each table's results are recorded
/// as a run (mode <c>check</c>) with its rows in <c>_wharf.check_results</c>.
/// </summary>
internal sealed class WarehouseChecks(Project project, IWarehouse warehouse, TimeProvider time)
{
    /// <summary>Checks the named pipelines' tables (all pipelines when none are named); one record per table.</summary>
    public async Task<IReadOnlyList<RunRecord>> RunAsync(IReadOnlyCollection<string> pipelineNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        var records = new List<RunRecord>();
        var loadedTables = (await warehouse.ListRunsAsync(10_000, null, cancellationToken))
            .Where(r => r.Status == RunStatus.Succeeded && r.Mode != "check").ToList();
        foreach (var pipeline in project.Select(pipelineNames))
        {
            // A tables: pipeline's tables are those it has loaded; the others have one table.
            var targets = pipeline.Tables.IsEmpty ? [$"{pipeline.Schema}.{pipeline.Table}"]
                : loadedTables.Where(r => r.Pipeline == pipeline.Name).Select(r => r.Target).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            foreach (var target in targets)
            {
                var table = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
                var rules = pipeline.RulesFor(table);
                if (rules.Checks.IsEmpty)
                {
                    continue;
                }

                records.Add(await CheckAsync(pipeline, pipeline.Schema, table, rules, cancellationToken));
            }
        }

        return records;
    }

    private async Task<RunRecord> CheckAsync(PipelineSettings pipeline, string schema, string table, TableRules rules, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var target = $"{schema}.{table}";
        var record = new RunRecord
        {
            RunId = RunId.New(started),
            Pipeline = pipeline.Name,
            Stream = table,
            Source = "wharf check",
            Target = target,
            Mode = "check",
            StartedAt = started,
        };
        try
        {
            var columns = Columns(schema, table) ?? throw new CheckException("", target, $"{target} does not exist yet; run 'wharf run {pipeline.Name}' first.");

            var sql = new CheckSql(Quote.Qualified(schema, table), columns, target, warehouse.Dialect, check => CheckSql.DirectReference(schema, check));
            var results = CheckRunner.Run(sql, rules.Checks, rules.OnCheckFailure, warehouse.Query, target, started, loading: false);
            var failed = results.Where(r => r.Status == CheckStatus.Failed).ToList();
            record = record with
            {
                Checks = [.. results],
                Status = failed.Count == 0 ? RunStatus.Succeeded : RunStatus.Failed,
                Error = failed.Count == 0 ? null : CheckRunner.Describe(target, failed, loading: false),
                FinishedAt = time.GetUtcNow(),
            };
        }
        catch (WharfException ex)
        {
            record = record with { Status = RunStatus.Failed, Error = ex.Message, FinishedAt = time.GetUtcNow() };
        }

        await warehouse.RecordAsync(record, cancellationToken);
        return record;
    }

    /// <summary>The table's column names; null when it does not exist.</summary>
    private List<string>? Columns(string schema, string table)
    {
        try
        {
            using var reader = warehouse.Query($"SELECT * FROM {Quote.Qualified(schema, table)} LIMIT 0");
            return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
        }
        catch (WharfException)
        {
            return null;
        }
    }
}
