using System.Diagnostics;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Tests.Cli;

namespace Wharf.Tests.Library;

/// <summary>Wharf from C#: the public API (docs/library.md) and examples/library, which uses it.</summary>
public sealed class LibraryApiTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("wharf-library-");

    public void Dispose() => temp.Delete(recursive: true);

    private string Quickstart()
    {
        var from = Path.Combine(QuickstartExampleTests.RepositoryRoot(), "examples", "quickstart");
        var to = Path.Combine(temp.FullName, "quickstart");
        foreach (var file in new[] { "wharf.yml", "data/customers.csv", "data/products.parquet", "data/orders/2026-11-01.ndjson", "data/orders/2026-11-02.ndjson", "data/orders/2026-11-03.ndjson" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, file))!);
            File.Copy(Path.Combine(from, file), Path.Combine(to, file));
        }

        return to;
    }

    [Fact]
    public async Task Session_RunsSomePipelines_ReportsProgress_AndReadsTheAudit()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await WharfProject.LoadAsync(Quickstart(), cancellationToken: ct);
        project.Pipelines.ShouldBe(["customers", "orders", "products"]);
        var events = new List<RunEvent>();

        using (var session = await project.OpenAsync(cancellationToken: ct))
        {
            var summary = await session.RunAsync(["customers"], new SynchronousProgress(events.Add), ct);

            summary.Succeeded.ShouldBeTrue();
            summary.Streams.Select(s => (s.Target, s.RowsLoaded)).ShouldBe([("raw.customers", 120L)]);
            events.OfType<StreamStarted>().Select(e => e.Stream).ShouldBe(["customers"]);
            events.OfType<StreamFinished>().Single().Record.Status.ShouldBe(RunStatus.Succeeded);
            (await session.ListRunsAsync(cancellationToken: ct)).Select(r => r.Target).ShouldBe(["raw.customers"]);
            using var reader = session.Query("SELECT count(*) FROM raw.customers");
            reader.Read().ShouldBeTrue();
            reader.GetInt64(0).ShouldBe(120);
        }

        Should.Throw<WharfException>(async () =>
        {
            using var session = await project.OpenAsync(cancellationToken: ct);
            await session.RunAsync(["missing"], cancellationToken: ct);
        }).Message.ShouldContain("'missing'");
    }

    [Fact]
    public async Task Session_Cancelled_StopsTheRun()
    {
        var project = await WharfProject.LoadAsync(Quickstart(), cancellationToken: TestContext.Current.CancellationToken);
        using var session = await project.OpenAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => session.RunAsync(cancellationToken: cancel.Token));
    }

    [Fact]
    public void Builder_ChecksSettingsLikeWharfYml_AndSaysWhere()
    {
        var builder = WharfProject.Create(temp.FullName)
            .Connection("files", "files", new Dictionary<string, object?> { ["path"] = "data/" })
            .Pipeline("people", "files", new Dictionary<string, object?> { ["files"] = "people.csv", ["mode"] = "upsert" });

        var error = Should.Throw<ProjectFileException>(() => builder.Build());

        error.File.ShouldBe(WharfProjectBuilder.Origin);
        error.Message.ShouldContain("upsert");
        error.Line.ShouldBeGreaterThan(0);
        builder.ToYaml().Split('\n')[error.Line - 1].ShouldContain("upsert");
    }

    [Fact]
    public async Task Builder_PipelineInCode_LoadsACsvWithNoWharfYml()
    {
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Path.Combine(temp.FullName, "data"));
        await File.WriteAllTextAsync(Path.Combine(temp.FullName, "data", "people.csv"), "id,name\n1,Ada\n2,Grace\n", ct);
        var project = WharfProject.Create(temp.FullName)
            .Lake("my-lake/")
            .Connection("files", "files", new Dictionary<string, object?> { ["path"] = "data/" })
            .Pipeline("people", "files", new Dictionary<string, object?> { ["files"] = "people.csv", ["primary_key"] = new[] { "id" }, ["mode"] = "merge" })
            .Build();

        using var session = await project.OpenAsync(cancellationToken: ct);
        (await session.RunAsync(cancellationToken: ct)).Succeeded.ShouldBeTrue();
        (await session.RunAsync(cancellationToken: ct)).Streams.Single().RowsLoaded.ShouldBe(0, "a merge of the same rows changes nothing");

        using var reader = session.Query("SELECT string_agg(name, ',' ORDER BY id) FROM main.people");
        reader.Read().ShouldBeTrue();
        reader.GetString(0).ShouldBe("Ada,Grace");
        File.Exists(Path.Combine(temp.FullName, "wharf.yml")).ShouldBeFalse();
        Directory.EnumerateFiles(Path.Combine(temp.FullName, "my-lake"), "*.parquet", SearchOption.AllDirectories).ShouldNotBeEmpty();
    }

    [Fact]
    public async Task LibraryExample_RunsAProjectFolder_AndAPipelineBuiltInCode()
    {
        var folder = Quickstart();
        var example = Path.Combine(QuickstartExampleTests.RepositoryRoot(), "examples", "library", "bin", Configuration, "net10.0", "Wharf.Examples.Library.dll");

        var run = await RunAsync(example, "run", folder, "customers", "products");
        run.ExitCode.ShouldBe(0, run.Text);
        run.Text.ShouldContain("raw.customers");
        run.Text.ShouldContain("raw.products");
        run.Text.ShouldContain("the audit holds 2 run record(s)");

        var csv = await RunAsync(example, "csv", Path.Combine(folder, "data", "customers.csv"), Path.Combine(temp.FullName, "in-code"));
        csv.ExitCode.ShouldBe(0, csv.Text);
        csv.Text.ShouldContain("customers › raw.customers: Succeeded, 120 rows");
        File.Exists(Path.Combine(temp.FullName, "in-code", "warehouse.duckdb")).ShouldBeTrue();

        (await RunAsync(example, "run", Path.Combine(temp.FullName, "nowhere"))).ExitCode.ShouldBe(1);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static async Task<(int ExitCode, string Text)> RunAsync(string dll, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    private sealed class SynchronousProgress(Action<RunEvent> report) : IProgress<RunEvent>
    {
        public void Report(RunEvent value) => report(value);
    }
}
