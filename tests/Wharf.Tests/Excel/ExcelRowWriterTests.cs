using System.Text;
using Wharf.Sources.Files.Excel;

namespace Wharf.Tests.Excel;

/// <summary>
/// The thread that formats a sheet's rows while the workbook is read: rows reach the spool in the
/// order they were read, typed across batches, in chunk files of a set size; a writer that fails stops the reading with its own
/// error instead of leaving the reader waiting.
/// </summary>
public sealed class ExcelRowWriterTests
{
    [Fact]
    public void Rows_ReachTheSpoolInOrder_InChunks_AndTypesWidenAcrossBatches()
    {
        var header = new ExcelHeader(["n", "x"], FirstColumn: 0, AllSheets: false);
        var chunks = new List<MemoryStream>();
        var written = new List<(int Rows, ExcelColumnType X)>();
        const int rows = 5_000;
        using (var writer = new ExcelRowWriter(Open, header, "Sheet1", chunkWritten: n => written.Add((n, header.Types[1])), chunkRows: 1_000))
        {
            for (var i = 0; i < rows; i++)
            {
                // x is whole until the last row, which has a fraction; every 7th row is a gap.
                writer.Add(i % 7 == 3 ? [null, ""] : [(double)i, i == rows - 1 ? 0.5 : (double)i]);
            }

            writer.Finish();
        }

        var lines = chunks.SelectMany(c => Encoding.UTF8.GetString(c.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        string[] expected = [.. Enumerable.Range(0, rows).Where(i => i % 7 != 3).Select(i => i == rows - 1 ? $"{i},0.5" : $"{i},{i}")];
        lines.ShouldBe(expected);
        header.Types[0].ShouldBe(ExcelColumnType.Integer);
        header.Types[1].ShouldBe(ExcelColumnType.Double);

        // 4,286 rows written: four whole chunks, each told with the types of the rows up to it, and the rest.
        written.Select(w => w.Rows).ShouldBe([1_000, 1_000, 1_000, 1_000, 286]);
        written.Select(w => w.X).ShouldBe([ExcelColumnType.Integer, ExcelColumnType.Integer, ExcelColumnType.Integer, ExcelColumnType.Integer, ExcelColumnType.Double]);
        chunks.Count.ShouldBe(5);

        StreamWriter Open()
        {
            chunks.Add(new MemoryStream());
            return new StreamWriter(chunks[^1], new UTF8Encoding(false), 1024, leaveOpen: true);
        }
    }

    [Fact]
    public void AnEmptySheet_HasOneChunk_AndNoChunkFollowsTheLastWholeOne()
    {
        var opened = 0;
        var written = new List<int>();
        var header = new ExcelHeader(["n"], FirstColumn: 0, AllSheets: false);
        using (var empty = new ExcelRowWriter(Open, header, "Sheet1", written.Add, chunkRows: 10))
        {
            empty.Finish();
        }

        opened.ShouldBe(1);
        written.ShouldBe([0]);
        written.Clear();
        opened = 0;
        using (var whole = new ExcelRowWriter(Open, header, "Sheet1", written.Add, chunkRows: 10))
        {
            for (var i = 0; i < 20; i++)
            {
                whole.Add([(double)i]);
            }

            whole.Finish();
        }

        opened.ShouldBe(2);
        written.ShouldBe([10, 10]);

        StreamWriter Open()
        {
            opened++;
            return new StreamWriter(new MemoryStream());
        }
    }

    [Fact]
    public void AWriterThatFails_StopsTheReading_WithItsOwnError()
    {
        var header = new ExcelHeader(["n", "text"], FirstColumn: 0, AllSheets: false);
        var writer = new ExcelRowWriter(() => new StreamWriter(new FullDisk(64 * 1024), new UTF8Encoding(false), 1024), header, "Sheet1");
        var reading = Task.Run(() =>
        {
            // More rows than the writer's queue and the 64 KiB "disk" hold: the reader must not wait forever.
            for (var i = 0; i < 1_000_000; i++)
            {
                writer.Add([(double)i, "a line of text that fills the disk"]);
            }

            writer.Finish();
        }, TestContext.Current.CancellationToken);
        var thrown = Should.Throw<IOException>(() => reading.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken).GetAwaiter().GetResult());

        thrown.Message.ShouldBe("No space left on device");
        Should.NotThrow(writer.Dispose);
    }

    /// <summary>A stream that takes <c>capacity</c> bytes, then fails as a full disk does.</summary>
    private sealed class FullDisk(int capacity) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > capacity)
            {
                throw new IOException("No space left on device");
            }

            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Length + buffer.Length > capacity)
            {
                throw new IOException("No space left on device");
            }

            base.Write(buffer);
        }
    }
}
