using Wharf.DuckDb;

namespace Wharf.Tests.Cli;

/// <summary>A project folder in temp space, with helpers to write files and read the warehouse.</summary>
internal sealed class TempProject : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-test-");

    public string Root => directory.FullName;

    public string Warehouse => Path.Combine(Root, "warehouse.duckdb");

    public string Lake => Path.Combine(Root, "lake");

    public TempProject Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    /// <summary>A wharf.yml with one files connection on data/ and the given pipelines block.</summary>
    public TempProject WithPipelines(string pipelines) => Write("wharf.yml", $"""
        warehouse: duckdb:warehouse.duckdb
        lake: lake/
        connections:
          local: {"{"} type: files, path: data/ {"}"}
        pipelines:
        {pipelines}
        """);

    public Task<WharfProcess.Result> RunAsync(params string[] args) => WharfProcess.RunAsync(Root, [.. args, "--project", Root]);

    /// <summary>Changes the warehouse (the CLI must not be running); the rows changed.</summary>
    public int Execute(string sql)
    {
        using var connection = DuckDbConnections.Open(Warehouse);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>Reads one value from the warehouse (the CLI must not be running); a BLOB as its bytes.</summary>
    public object? Scalar(string sql)
    {
        using var connection = DuckDbConnections.Open(Warehouse);
        using var reader = connection.Query(sql);
        if (!reader.Read() || reader.IsDBNull(0))
        {
            return null;
        }

        // DuckDB.NET hands a BLOB over as a stream into the result, readable only while the reader is open.
        var value = reader.GetValue(0);
        if (value is Stream blob)
        {
            using var bytes = new MemoryStream();
            blob.CopyTo(bytes);
            return bytes.ToArray();
        }

        return value;
    }

    public string[] LakeFiles(string pattern = "*.parquet") =>
        Directory.Exists(Lake) ? [.. Directory.GetFiles(Lake, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    public void Dispose() => directory.Delete(recursive: true);
}
