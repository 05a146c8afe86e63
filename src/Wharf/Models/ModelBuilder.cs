using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Models;

/// <summary>
/// <c>wharf build</c>: seeds, then models in DAG order (independent ones at once where the
/// engine allows), each followed by its tests; then the singular tests. A model whose build or
/// error-severity test fails stops everything downstream of it, which is reported as skipped.
/// Every node is a row of <c>_wharf.runs</c>; compiled SQL is kept under <c>target/compiled/</c>.
/// </summary>
internal sealed partial class ModelBuilder(Project project, ModelProject models, IWarehouse warehouse, TimeProvider time, ILogger logger)
{
    /// <summary>Rebuild incremental models from scratch.</summary>
    public bool FullRefresh { get; init; }

    /// <summary><c>--var KEY=VALUE</c>: what <c>var()</c> returns ahead of the project's vars.</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    /// <summary>Load seeds too (<c>wharf build</c> does; <c>wharf run</c>'s models do not exist yet).</summary>
    public bool WithSeeds { get; init; } = true;

    private string CompiledFolder => Path.Combine(project.Directory, "target", "compiled");

    public ModelCompiler Compiler() => new(models, project.Pipelines, new ModelTarget(warehouse.Dialect.Name == "PostgreSQL" ? "postgres" : "duckdb", models.DefaultSchema) { Vars = Vars });

    /// <exception cref="ProjectFileException">A template, ref or cycle problem (file, line and column): nothing is built.</exception>
    public async Task<BuildSummary> BuildAsync(IReadOnlyList<string> selectors, IProgress<BuildResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = time.GetUtcNow();
        var runId = RunId.New(started);
        await using var lineage = OpenLineage.OpenLineageEmitter.For(project, time, logger);
        var compiler = Compiler();
        var graph = ModelGraph.Build(models, compiler);
        var selected = graph.Select(selectors);
        var results = new ConcurrentDictionary<string, BuildResult>(StringComparer.Ordinal);

        await LoadSeedsAsync(selected, compiler, results, progress, cancellationToken);

        // Tests on the sources the selected models read run first; a model whose source fails them is skipped.
        var read = selected.Select(n => models.Models.FirstOrDefault(m => m.Name == n)).OfType<Model>()
            .SelectMany(m => compiler.Parse(m).Sources).ToHashSet();
        foreach (var source in models.Sources.Where(s => !s.Tests.IsEmpty && read.Contains((s.SourceName, s.Table))))
        {
            Report(results, progress, await SourceTestAsync(source, compiler, runId, cancellationToken));
        }

        await CreateSchemasAsync(selected.Select(n => models.Models.FirstOrDefault(m => m.Name == n)).OfType<Model>().Select(m => compiler.Parse(m)), cancellationToken);
        using var parallel = new SemaphoreSlim(warehouse.Dialect.ParallelBuilds);
        var builds = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var name in selected.Where(n => !graph.IsSeed(n)))
        {
            // A model's relationships tests read other models: those that come before it in the order are waited for too.
            var tested = models.Models.First(m => m.Name == name).Tests.Select(t => TestedRef().Match(t.ToTable ?? "")).Where(m => m.Success).Select(m => m.Groups[1].Value);
            var upstream = graph.Upstream(name).Concat(tested).Distinct(StringComparer.Ordinal).Where(builds.ContainsKey).Select(n => builds[n]).ToList();
            builds[name] = BuildWhenReadyAsync(name, upstream);
        }

        await Task.WhenAll(builds.Values);
        // A singular test runs when a model or seed it reads was built (as dbt selects tests with their parents).
        foreach (var test in models.Tests.Where(t => compiler.CompileTest(t).Refs.Any(selected.Contains)))
        {
            Report(results, progress, await SingularTestAsync(test, compiler, results, runId, cancellationToken));
        }

        var exported = await ExportAsync(results, progress, cancellationToken);
        var tests = results.Values.Where(r => r.Kind == "test" && !selected.Contains(r.Name)).OrderBy(r => !r.Name.StartsWith("source:", StringComparison.Ordinal)).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var ordered = tests.Where(t => t.Name.StartsWith("source:", StringComparison.Ordinal))
            .Concat(selected.Where(results.ContainsKey).Select(n => results[n]))
            .Concat(tests.Where(t => !t.Name.StartsWith("source:", StringComparison.Ordinal)))
            .Concat(exported);
        return new BuildSummary([.. ordered], time.GetUtcNow() - started);

        async Task BuildWhenReadyAsync(string name, List<Task> before)
        {
            await Task.WhenAll(before);
            var model = models.Models.First(m => m.Name == name);
            var sources = compiler.Parse(model).Sources.Select(s => $"source:{s.Source}.{s.Table}");
            var blocked = graph.Upstream(name).Concat(sources).FirstOrDefault(n => results.TryGetValue(n, out var r) && r.Status is BuildStatus.Failed or BuildStatus.Skipped);
            if (blocked is not null)
            {
                Report(results, progress, new BuildResult(name, "model", BuildStatus.Skipped, null, $"skipped: {blocked} did not build"));
                return;
            }

            await parallel.WaitAsync(cancellationToken);
            try
            {
                var record = await BuildModelAsync(model, compiler, runId, lineage, cancellationToken);
                Report(results, progress, new BuildResult(name, "model", Status(record), record, record.Error));
            }
            finally
            {
                parallel.Release();
            }
        }
    }

    private async Task LoadSeedsAsync(
        ImmutableArray<string> selected, ModelCompiler compiler, ConcurrentDictionary<string, BuildResult> results, IProgress<BuildResult>? progress, CancellationToken cancellationToken)
    {
        var seeds = models.Seeds.Where(s => selected.Contains(s.Name) && WithSeeds).ToList();
        foreach (var record in await SeedLoader.LoadAsync(project, seeds, models.DefaultSchema, warehouse, time, logger, cancellationToken))
        {
            var seed = seeds.First(s => s.Name == record.Pipeline);
            var tested = await TestAsync(record with { Kind = "seed" }, compiler.RelationOf(seed.Name), record.Status == RunStatus.Succeeded ? seed.Tests : [], compiler, cancellationToken);
            Report(results, progress, new BuildResult(seed.Name, "seed", Status(tested), tested, tested.Error));
        }
    }

    /// <summary>Declared exports of the models just built (or, for an export by query, when the whole build succeeded).</summary>
    private async Task<List<BuildResult>> ExportAsync(ConcurrentDictionary<string, BuildResult> results, IProgress<BuildResult>? progress, CancellationToken cancellationToken)
    {
        var built = results.Values.Where(r => r.Kind == "model" && r.Status is BuildStatus.Succeeded or BuildStatus.Warned && r.Record is not null)
            .Select(r => r.Record!.Target).ToHashSet(StringComparer.Ordinal);
        var allBuilt = built.Count > 0 && results.Values.All(r => r.Status is BuildStatus.Succeeded or BuildStatus.Warned);
        var exported = new List<BuildResult>();
        foreach (var export in project.Exports.Where(e => e.QualifiedTable is { } table ? built.Contains(table) : allBuilt))
        {
            var record = await new Exports.Exporter(warehouse, time).ExportAsync(
                new Exports.ExportRequest(export.Name, export.Table, export.Query, export.To, export.Format) { PartitionBy = export.PartitionBy, Overwrite = true }, cancellationToken);
            var result = new BuildResult(export.Name, "export", Status(record), record, record.Error);
            exported.Add(result);
            progress?.Report(result);
        }

        return exported;
    }

    /// <summary>The sources (pipeline names, for <c>--with-pipelines</c>) that the selected models read.</summary>
    public Task<IReadOnlyList<string>> SourcesAsync(IReadOnlyList<string> selectors, CancellationToken cancellationToken = default)
    {
        var compiler = Compiler();
        var graph = ModelGraph.Build(models, compiler);
        IReadOnlyList<string> names = [.. graph.Select(selectors)
            .Select(n => models.Models.FirstOrDefault(m => m.Name == n)).OfType<Model>()
            .SelectMany(m => compiler.Parse(m).Sources.Select(s => s.Source))
            .Distinct(StringComparer.Ordinal)];
        return Task.FromResult(names);
    }

    /// <summary>
    /// The models' schemas, made one after the other before the builds: two PostgreSQL sessions
    /// creating the same schema at once collide even with IF NOT EXISTS.
    /// </summary>
    private async Task CreateSchemasAsync(IEnumerable<CompiledModel> parsed, CancellationToken cancellationToken)
    {
        var schemas = parsed.Where(p => p.Config.Materialized != Materialization.Ephemeral).Select(p => p.Relation.Schema).Distinct(StringComparer.Ordinal).ToList();
        if (schemas.Count == 0)
        {
            return;
        }

        await using var connection = await warehouse.ConnectAsync(cancellationToken);
        foreach (var schema in schemas)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE SCHEMA IF NOT EXISTS {Quote.Identifier(schema)}";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Renders the selected models (as a build would, <c>is_incremental()</c> false) and writes them under target/compiled/.</summary>
    public async Task<IReadOnlyList<CompiledModel>> CompileAsync(IReadOnlyList<string> selectors, CancellationToken cancellationToken = default)
    {
        var compiler = Compiler();
        var graph = ModelGraph.Build(models, compiler);
        var compiled = new List<CompiledModel>();
        foreach (var model in graph.Select(selectors).Select(n => models.Models.FirstOrDefault(m => m.Name == n)).OfType<Model>())
        {
            var result = compiler.Compile(model);
            await WriteCompiledAsync(result, cancellationToken);
            compiled.Add(result);
        }

        return compiled;
    }

    private async Task<RunRecord> BuildModelAsync(Model model, ModelCompiler compiler, string runId, OpenLineage.OpenLineageEmitter? lineage, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var parsed = compiler.Parse(model);
        var record = new RunRecord
        {
            RunId = runId,
            Pipeline = model.Name,
            Stream = model.Name,
            Source = $"model: {model.File}",
            Target = parsed.Relation.Display,
            Mode = ModelConfig.Name(parsed.Config.Materialized),
            StartedAt = started,
            Kind = "model",
        };
        if (parsed.Config.Materialized == Materialization.Ephemeral)
        {
            // Nothing to build: its SQL lives in the models that ref it.
            var inlined = compiler.Compile(model);
            await WriteCompiledAsync(inlined, cancellationToken);
            record = record with { Status = RunStatus.Succeeded, FinishedAt = time.GetUtcNow(), Notes = ["ephemeral: inlined into the models that ref it"] };
            await warehouse.RecordAsync(record, cancellationToken);
            return record;
        }

        var reads = parsed.Refs.Select(r => compiler.RelationOf(r).Display)
            .Concat(parsed.Sources.Select(s => compiler.Resolve($"source('{s.Source}', '{s.Table}')").Display)).ToList();
        var dialect = warehouse.Dialect.Name == "PostgreSQL" ? "postgres" : "duckdb";
        string sql = "";
        try
        {
            ModelMaterializer.Outcome outcome;
            await using (var connection = await warehouse.ConnectAsync(cancellationToken))
            {
                var materializer = new ModelMaterializer(connection, warehouse.Dialect);
                var existing = await materializer.KindAsync(parsed.Relation, cancellationToken);
                // full_refresh: false keeps a model incremental under --full-refresh (as dbt does); true rebuilds it every time.
                var fullRefresh = parsed.Config.FullRefresh ?? FullRefresh;
                var incremental = parsed.Config.Materialized == Materialization.Incremental && existing == "table" && !fullRefresh;
                var compiled = compiler.Compile(model, incremental);
                sql = compiled.Sql;
                lineage?.Model(runId, model.Name, parsed.Relation.Display, sql, dialect, reads, null);
                await WriteCompiledAsync(compiled, cancellationToken);
                outcome = await materializer.BuildAsync(compiled, existing, fullRefresh, cancellationToken);
                if (FullRefresh && !fullRefresh && incremental)
                {
                    outcome = outcome with { Notes = [.. outcome.Notes, "full_refresh: false, so --full-refresh did not rebuild it"] };
                }
            }

            record = record with
            {
                RowsLoaded = outcome.Rows ?? 0,
                RowsInserted = outcome.Inserted,
                RowsUpdated = outcome.Updated,
                Notes = [.. outcome.Notes],
                Status = RunStatus.Succeeded,
            };
            ModelLog.Built(logger, model.Name, record.Mode, record.Target);
            record = await TestAsync(record, parsed.Relation, model.Tests, compiler, cancellationToken);
            lineage?.Model(runId, model.Name, parsed.Relation.Display, sql, dialect, reads, record);
            return record;
        }
        catch (Exception ex) when (ex is DbException or WharfException)
        {
            record = record with { Status = RunStatus.Failed, Error = $"model {model.Name} ({model.File}) failed: {ex.Message}", FinishedAt = time.GetUtcNow() };
            await warehouse.RecordAsync(record, cancellationToken);
            if (sql.Length == 0)
            {
                // It failed before it started: its START still comes first, as the spec wants one.
                lineage?.Model(runId, model.Name, parsed.Relation.Display, sql, dialect, reads, null);
            }

            lineage?.Model(runId, model.Name, parsed.Relation.Display, sql, dialect, reads, record);
            return record;
        }
    }

    /// <summary>Runs a node's tests on its relation and records the node with their results; an error-severity failure fails it.</summary>
    private async Task<RunRecord> TestAsync(RunRecord record, Relation relation, ImmutableArray<CheckSettings> tests, ModelCompiler compiler, CancellationToken cancellationToken)
    {
        if (!tests.IsEmpty)
        {
            var columns = Columns(relation);
            var resolved = tests.Select(t => t.ToTable is { } to && to.Contains('(', StringComparison.Ordinal) ? t with { ToTable = ResolveTable(compiler, to) } : t).ToList();
            // A test with where: runs over the rows it keeps, as dbt's does: (select * from model where …).
            var results = resolved.GroupBy(t => t.Where).SelectMany(group =>
            {
                var from = group.Key is null ? relation.ToString() : $"(SELECT * FROM {relation} WHERE {group.Key})";
                var sql = new CheckSql(from, columns, relation.Display, warehouse.Dialect, check => CheckSql.DirectReference(relation.Schema, check));
                return CheckRunner.Run(sql, [.. group], CheckFailure.Fail, warehouse.Query, relation.Display, time.GetUtcNow(), loading: false);
            }).ToList();
            var failed = results.Where(r => r.Status == CheckStatus.Failed).ToList();
            record = record with
            {
                Checks = [.. results],
                Status = failed.Count == 0 ? record.Status : RunStatus.Failed,
                Error = failed.Count == 0 ? record.Error : CheckRunner.Describe(relation.Display, failed, loading: false),
            };
        }

        record = record with { FinishedAt = record.Kind == "seed" ? record.FinishedAt : time.GetUtcNow() };
        await warehouse.RecordAsync(record, cancellationToken);
        return record;
    }

    private async Task<BuildResult> SourceTestAsync(ModelSource source, ModelCompiler compiler, string runId, CancellationToken cancellationToken)
    {
        var relation = new Relation(source.Schema, source.Identifier);
        var record = new RunRecord
        {
            RunId = runId,
            Pipeline = source.Key,
            Stream = source.Key,
            Source = $"source: {source.SourceName}.{source.Table}",
            Target = relation.Display,
            Mode = "test",
            StartedAt = time.GetUtcNow(),
            Kind = "test",
            Status = RunStatus.Succeeded,
        };
        try
        {
            record = await TestAsync(record, relation, source.Tests, compiler, cancellationToken);
        }
        catch (WharfException ex)
        {
            record = record with { Status = RunStatus.Failed, Error = $"the tests of {source.Key} could not run: {ex.Message}", FinishedAt = time.GetUtcNow() };
            await warehouse.RecordAsync(record, cancellationToken);
        }

        return new BuildResult(source.Key, "test", Status(record), record, record.Error);
    }

    private async Task<BuildResult> SingularTestAsync(SingularTest test, ModelCompiler compiler, ConcurrentDictionary<string, BuildResult> results, string runId, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var (sql, refs) = compiler.CompileTest(test);
        var blocked = refs.FirstOrDefault(r => results.TryGetValue(r, out var result) && result.Status is BuildStatus.Failed or BuildStatus.Skipped);
        if (blocked is not null)
        {
            return new BuildResult(test.Name, "test", BuildStatus.Skipped, null, $"skipped: {blocked} did not build");
        }

        var check = new CheckSettings(CheckKind.Sql, test.Name, new SourceLocation(test.File, 1, 1)) { Sql = sql };
        var record = new RunRecord
        {
            RunId = runId,
            Pipeline = test.Name,
            Stream = test.Name,
            Source = $"test: {test.File}",
            Target = string.Join(", ", refs),
            Mode = "test",
            StartedAt = started,
            Kind = "test",
            Status = RunStatus.Succeeded,
        };
        var checkSql = new CheckSql($"({sql})", [], test.File, warehouse.Dialect, c => CheckSql.DirectReference(models.DefaultSchema, c));
        try
        {
            var outcome = CheckRunner.Run(checkSql, [check], CheckFailure.Fail, warehouse.Query, test.File, started, loading: false);
            var failed = outcome.Where(r => r.Status == CheckStatus.Failed).ToList();
            record = record with
            {
                Checks = [.. outcome],
                Status = failed.Count == 0 ? RunStatus.Succeeded : RunStatus.Failed,
                Error = failed.Count == 0 ? null : CheckRunner.Describe(test.File, failed, loading: false),
                FinishedAt = time.GetUtcNow(),
            };
        }
        catch (WharfException ex)
        {
            record = record with { Status = RunStatus.Failed, Error = $"test {test.Name} ({test.File}) could not run: {ex.Message}", FinishedAt = time.GetUtcNow() };
        }

        await warehouse.RecordAsync(record, cancellationToken);
        return new BuildResult(test.Name, "test", Status(record), record, record.Error);
    }

    private static string ResolveTable(ModelCompiler compiler, string expression)
    {
        var relation = compiler.Resolve(expression);
        return relation.Display;
    }

    private List<string> Columns(Relation relation)
    {
        using var reader = warehouse.Query($"SELECT * FROM {relation} LIMIT 0");
        return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
    }

    private async Task WriteCompiledAsync(CompiledModel model, CancellationToken cancellationToken)
    {
        var path = Path.Combine(CompiledFolder, model.Model.File);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, model.Sql, cancellationToken);
    }

    private static BuildStatus Status(RunRecord record) => record.Status switch
    {
        RunStatus.Succeeded when record.Checks.Any(c => c.Status == CheckStatus.Warned) => BuildStatus.Warned,
        RunStatus.Succeeded => BuildStatus.Succeeded,
        _ => BuildStatus.Failed,
    };

    private static void Report(ConcurrentDictionary<string, BuildResult> results, IProgress<BuildResult>? progress, BuildResult result)
    {
        results[result.Name] = result;
        progress?.Report(result);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*ref\(\s*['""](\w+)['""]\s*\)\s*$")]
    private static partial System.Text.RegularExpressions.Regex TestedRef();
}
