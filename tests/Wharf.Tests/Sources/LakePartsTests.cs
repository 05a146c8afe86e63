using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Sources;
using Wharf.Sources.Sql;

namespace Wharf.Tests.Sources;

/// <summary>
/// <see cref="LakeParts"/> writes a source's rows to the lake in parts of the size asked for, in
/// order, each committed while the next is written, and lets a source's failure out as itself.
/// </summary>
public sealed class LakePartsTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"wharf-parts-{Guid.NewGuid():N}");
    private readonly DuckDBConnection workArea = DuckDbConnections.Open(null);

    public void Dispose()
    {
        workArea.Dispose();
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed class Ids(long count, long? failAt = null) : IRowSource
    {
        private long id = -1;

        public bool MoveNext() => ++id < count;

        public void Write(DuckDbChunkRows rows)
        {
            if (id == failAt)
            {
                throw new InvalidCastException($"row {id} is bad");
            }

            rows.WriteRow([id, $"name {id}"]);
        }
    }

    /// <summary>Rows of an id and a text of <paramref name="width"/> characters.</summary>
    private sealed class Padded(long count, int width) : IRowSource
    {
        private long id = -1;

        public bool MoveNext() => ++id < count;

        public void Write(DuckDbChunkRows rows) => rows.WriteRow([id, $"{id:D12}".PadRight(width, 'x')]);
    }

    private ExtractRequest Request() =>
        new(workArea, new LakeWriter(new LakeLayout(root), TimeProvider.System), new LakeTarget("p", "ids", "20261206T000000Z-aaaaaa", DateTimeOffset.UnixEpoch))
        {
            PartRows = 10_000,
        };

    private static readonly LakeParts.Column[] Columns = [new("id", "BIGINT", "id"), new("name", "VARCHAR", "upper(name) AS name")];

    private string Summary(LakeManifest part) =>
        (string)workArea.Scalar($"SELECT format('{{}} {{}}-{{}} {{}}', count(*), min(id), max(id), max(name)) FROM read_parquet('{Path.Combine(root, part.File)}')")!;

    [Theory]
    [InlineData(25_000, new[] { "10000 0-9999 NAME 9999", "10000 10000-19999 NAME 19999", "5000 20000-24999 NAME 24999" })]
    [InlineData(20_000, new[] { "10000 0-9999 NAME 9999", "10000 10000-19999 NAME 19999" })]
    public async Task WriteAsync_GivesPartsOfTheSizeAsked_InOrder_WithTheLakeExpressionsApplied(int rows, string[] parts)
    {
        using var lake = LakeParts.Create(Request(), Columns, parallel: 1);

        var manifests = await lake.WriteAsync(new Ids(rows), TestContext.Current.CancellationToken);

        manifests.Select(m => m.Rows).Sum().ShouldBe(rows);
        manifests.Select(Summary).ShouldBe(parts);
    }

    [Fact]
    public async Task WriteAsync_AnEmptySource_StillWritesOnePart_WithTheColumns()
    {
        using var lake = LakeParts.Create(Request(), Columns, parallel: 1);

        var manifests = await lake.WriteAsync(new Ids(0), TestContext.Current.CancellationToken);

        manifests.Count.ShouldBe(1);
        manifests[0].Rows.ShouldBe(0);
        manifests[0].Columns.Select(c => $"{c.Name} {c.Type}").ShouldBe(["id BIGINT", "name VARCHAR"]);
    }

    [Fact]
    public async Task WriteAsync_CommitsEachPartInOrder_AndASourceFailureComesOutAsItself_AfterTheCommitUnderWay()
    {
        var committed = new List<int>();
        var request = Request() with
        {
            OnPart = async (part, _, ct) =>
            {
                await Task.Delay(200, ct);
                lock (committed)
                {
                    committed.Add(part.File.Contains("-0001.", StringComparison.Ordinal) ? 1 : 0);
                }
            },
        };
        using var lake = LakeParts.Create(request, Columns, parallel: 1);

        var error = await Should.ThrowAsync<InvalidCastException>(() => lake.WriteAsync(new Ids(25_000, failAt: 21_000), TestContext.Current.CancellationToken));

        error.Message.ShouldBe("row 21000 is bad");
        committed.ShouldBe([0, 1], "both whole parts were committed, in order, before the failure came out");
    }

    /// <summary>
    /// A warehouse load of 100,000-row groups of 2 KB rows failed "Out of Memory" under the default
    /// 512MB limit (bench/README.md): wide rows are cut into groups of about 32 MB instead, still in
    /// the order they were read; narrow rows keep groups of 100,000 (DuckDB cuts at whole chunks of 2,048 rows).
    /// </summary>
    [Theory]
    [InlineData(2_000, 8_192, 20_480)]
    [InlineData(20, 100_000, 102_400)]
    public async Task WriteAsync_CutsRowGroupsByBytes_WideRowsInShorterGroups_InTheOrderRead(int width, int fewestInAGroup, int mostInAGroup)
    {
        using var lake = LakeParts.Create(Request() with { PartRows = 200_000 }, Columns, parallel: 1);

        var parts = await lake.WriteAsync(new Padded(200_000, width), TestContext.Current.CancellationToken);

        var file = Path.Combine(root, parts.ShouldHaveSingleItem().File);
        ParquetRowGroups.ShouldBeGroupsOf(workArea, file, 200_000, fewestInAGroup, mostInAGroup);
        ParquetRowGroups.ShouldKeepTheOrderRead(workArea, file);
    }
}
