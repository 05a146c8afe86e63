using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.DuckDb;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Tests.Cli;
using Wharf.Warehouses.DuckDb;

namespace Wharf.Tests.Sources;

/// <summary>
/// Random mutations of valid CSV and NDJSON files (truncations, invalid UTF-8, other delimiters,
/// unbalanced quotes, byte flips, a BOM, mixed or missing newlines, an empty file, a 10 MB line),
/// each run in-process through the runner into a DuckDB warehouse: the run loads, or fails with an
/// error that names the file; it never throws anything else, never hangs, and a failed run leaves
/// the table and the state exactly as they were. Seeded: a failure prints its case number and what
/// was done, to replay it. WHARF_FILE_FUZZ_CASES runs more cases (each is a whole run: the default 48 take about 20 s).
/// </summary>
public sealed class FileInputFuzzTests : IDisposable
{
    internal static readonly string Csv = "id,name,amount,day,note\n" + string.Concat(Enumerable.Range(1, 40).Select(i =>
        $"{i},\"name {i}, with comma\",{i}.{i % 100:D2},2026-01-{i % 28 + 1:D2},{(i % 3 == 0 ? "\"say \"\"hi\"\"\"" : i % 5 == 0 ? "" : "ção 😀")}\n"));

    internal static readonly string Ndjson = string.Concat(Enumerable.Range(1, 40).Select(i =>
        $"{{\"id\": {i}, \"name\": \"n{i}\", \"amount\": {i}.5, \"when\": \"2026-01-{i % 28 + 1:D2}\", \"tags\": [\"a\", \"b{i}\"], \"customer\": {{\"city\": \"Lisboa\", \"zip\": \"{1000 + i}\"}}}}\n"));

    private readonly TempProject folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task MutatedInputs_LoadOrFailNamingTheFile_AndAFailureChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("WHARF_FILE_FUZZ_CASES"), out var n) ? n : 48;
        folder.Write("wharf.yml", """
            warehouse: duckdb:warehouse.duckdb
            lake: lake/
            connections:
              files: { type: files, path: data/ }
            pipelines:
              csv_in: { source: files, files: "in.csv", mode: replace }
              json_in: { source: files, files: "in.ndjson", mode: replace }
            """);
        folder.Write("data/in.csv", Csv);
        folder.Write("data/in.ndjson", Ndjson);
        var project = await ProjectLoader.LoadAsync(folder.Root, cancellationToken: ct);
        (await RunAsync(project, ct)).Succeeded.ShouldBeTrue("the inputs before any mutation load");

        var random = new Random(20261205);
        for (var i = 0; i < cases; i++)
        {
            var json = i % 2 == 1;
            var (file, pipeline) = json ? ("in.ndjson", "json_in") : ("in.csv", "csv_in");
            var (bytes, what) = Mutate(Encoding.UTF8.GetBytes(json ? Ndjson : Csv), random, i);
            var label = $"case {i} ({file}: {what})";
            await File.WriteAllBytesAsync(Path.Combine(folder.Root, "data", file), bytes, ct);
            var before = Snapshot(pipeline);

            RunSummary summary;
            try
            {
                summary = await RunAsync(project, ct, pipeline).WaitAsync(TimeSpan.FromSeconds(60), ct);
            }
            catch (Exception ex)
            {
                throw new ShouldAssertException($"{label}: the run threw {ex.GetType().Name} instead of failing with a clear error: {ex}");
            }

            if (summary.Succeeded)
            {
                // Each table (the root, and the child table of a list) holds what its stream says it loaded.
                var after = Snapshot(pipeline);
                foreach (var record in summary.Streams)
                {
                    after.Single(t => t.Table == record.Stream).Rows.ShouldBe(record.RowsLoaded, $"{label}: {record.Stream}");
                }
            }
            else
            {
                // The error names the file; a child table not loaded because its parent failed says so.
                foreach (var record in summary.Streams.Where(r => r.Status == RunStatus.Failed))
                {
                    record.Error.ShouldNotBeNullOrWhiteSpace(label);
                    (record.Error.Contains(file, StringComparison.Ordinal) || record != summary.Streams[0] && record.Error.StartsWith("Not loaded, since main.json_in failed", StringComparison.Ordinal))
                        .ShouldBeTrue($"{label}: the error names the file: {record.Error}");
                }

                summary.Streams[0].Status.ShouldBe(RunStatus.Failed, $"{label}: a child table fails only with its parent");

                Snapshot(pipeline).ShouldBe(before, $"{label}: a failed run changes nothing ({summary.Streams.First(r => r.Error is not null).Error})");
            }
        }
    }

    /// <summary>Found by the fuzz test: a file that could not be read emptied the child table of a list it no longer had.</summary>
    [Fact]
    public async Task AnUnreadableFile_LeavesTheChildTablesAsTheyWere()
    {
        var ct = TestContext.Current.CancellationToken;
        folder.Write("wharf.yml", """
            warehouse: duckdb:warehouse.duckdb
            lake: lake/
            connections:
              files: { type: files, path: data/ }
            pipelines:
              json_in: { source: files, files: "in.ndjson", mode: replace }
            """);
        folder.Write("data/in.ndjson", """{"id": 1, "tags": ["a"], "notes": ["x", "y"]}""" + "\n");
        var project = await ProjectLoader.LoadAsync(folder.Root, cancellationToken: ct);
        (await RunAsync(project, ct)).Succeeded.ShouldBeTrue();
        var before = Snapshot("json_in");

        // The notes list is gone, and the file starts with a byte order mark, which DuckDB's JSON reader refuses.
        await File.WriteAllBytesAsync(Path.Combine(folder.Root, "data", "in.ndjson"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"id": 2, "tags": ["b"]}""" + "\n")], ct);
        var summary = await RunAsync(project, ct);

        summary.Succeeded.ShouldBeFalse();
        summary.Streams.Select(s => s.Stream).ShouldBe(["json_in", "json_in__tags", "json_in__notes"]);
        summary.Streams[2].Error.ShouldNotBeNull().ShouldStartWith("Not loaded, since main.json_in failed");
        before.Single(t => t.Table == "json_in__notes").Rows.ShouldBe(2);
        Snapshot("json_in").ShouldBe(before, "nothing changed: not the notes either");
    }

    private async Task<RunSummary> RunAsync(Project project, CancellationToken ct, params string[] pipelines)
    {
        using var warehouse = DuckDbWarehouse.Open(folder.Warehouse, TimeProvider.System);
        return await new Runner(project, warehouse, TimeProvider.System, NullLogger.Instance).RunAsync(pipelines, null, ct);
    }

    /// <summary>Each table of a pipeline (its name, rows, and an order-free hash of them), and the pipeline's state.</summary>
    private List<(string Table, long Rows, string Hash, string State)> Snapshot(string pipeline)
    {
        using var connection = DuckDbConnections.Open(folder.Warehouse);
        var tables = new List<string>();
        using (var names = DuckDbCommands.Query(connection, $"SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name LIKE '{pipeline}%' ORDER BY 1"))
        {
            while (names.Read())
            {
                tables.Add(names.GetString(0));
            }
        }

        var snapshot = new List<(string, long, string, string)>();
        foreach (var table in tables)
        {
            using var reader = DuckDbCommands.Query(connection,
                $"SELECT (SELECT count(*) FROM main.{table}), (SELECT CAST(coalesce(bit_xor(hash(t)), 0) AS VARCHAR) FROM main.{table} AS t), " +
                $"(SELECT coalesce(string_agg(CAST(s AS VARCHAR), '|' ORDER BY s.stream), '') FROM _wharf.state AS s WHERE s.pipeline = '{pipeline}')");
            reader.Read();
            snapshot.Add((table, reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return snapshot;
    }

    /// <summary>One random mutation of a valid file, and what it was.</summary>
    /// <param name="longLine">The characters added to a line by the mutation that makes one long.</param>
    internal static (byte[] Bytes, string What) Mutate(byte[] valid, Random random, int number, int longLine = 10 * 1024 * 1024)
    {
        var bytes = valid.ToList();
        int At() => random.Next(bytes.Count + 1);
        switch (number % 12)
        {
            case 0:
                var cut = random.Next(valid.Length);
                return (valid[..cut], $"truncated at byte {cut}");
            case 1:
                var bad = At();
                bytes.InsertRange(bad, new[] { new byte[] { 0xFF }, [0xC3], [0x80, 0x80], [0xED, 0xA0, 0x80] }[random.Next(4)]);
                return ([.. bytes], $"invalid UTF-8 at byte {bad}");
            case 2:
                var delimiter = (byte)";\t|"[random.Next(3)];
                return ([.. bytes.Select(b => b == (byte)',' ? delimiter : b)], $"delimiter '{(char)delimiter}'");
            case 3:
                var quote = At();
                bytes.Insert(quote, (byte)'"');
                return ([.. bytes], $"a quote at byte {quote}");
            case 4:
                for (var flips = random.Next(1, 8); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                }

                return ([.. bytes], "bytes flipped");
            case 5:
                return ([0xEF, 0xBB, 0xBF, .. valid], "a BOM");
            case 6:
                return ([.. Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(valid).Replace("\n", random.Next(2) == 0 ? "\r\n" : "\r", StringComparison.Ordinal))], "other newlines");
            case 7:
                return ([], "empty");
            case 8:
                var line = Encoding.UTF8.GetString(valid).Split('\n');
                var at = random.Next(1, line.Length);
                line[at] = line[at] + new string('x', longLine);
                return (Encoding.UTF8.GetBytes(string.Join('\n', line)), $"a line of {longLine:N0} more characters ({at + 1})");
            case 9:
                return ([.. bytes.Where(b => b != (byte)'\n')], "no newlines");
            case 10:
                var from = At();
                var length = random.Next(1, 40);
                bytes.InsertRange(from, valid.Skip(random.Next(valid.Length)).Take(length));
                return ([.. bytes], $"{length} bytes repeated at {from}");
            default:
                var dropped = random.Next(valid.Length);
                bytes.RemoveAt(dropped);
                return ([.. bytes], $"byte {dropped} dropped");
        }
    }
}
