using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Models;

/// <summary>A copy of a model project (examples/jaffle_shop by default) in a temporary folder, built in-process on DuckDB or PostgreSQL.</summary>
internal sealed class ModelHarness : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-models-");

    public ModelHarness(string? warehouseUrl = null, string example = "jaffle_shop")
    {
        Copy(Path.Combine(RepositoryRoot.Path, "examples", example), Root);
        if (warehouseUrl is not null)
        {
            File.WriteAllText(Path.Combine(Root, "wharf.yml"), $"warehouse: \"{warehouseUrl}\"\n");
        }
    }

    public string Root => directory.FullName;

    public string File_(string relative) => Path.Combine(Root, relative);

    public void Write(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File_(relative))!);
        File.WriteAllText(File_(relative), text);
    }

    public async Task<BuildSummary> BuildAsync(bool fullRefresh = false, params string[] selectors)
    {
        var project = await ProjectLoader.LoadAsync(Root, cancellationToken: TestContext.Current.CancellationToken);
        var models = await ModelProjectReader.ReadAsync(project, TestContext.Current.CancellationToken);
        using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        try
        {
            return await new ModelBuilder(project, models, warehouse, TimeProvider.System, NullLogger.Instance) { FullRefresh = fullRefresh }
                .BuildAsync(selectors, null, TestContext.Current.CancellationToken);
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>The query's rows, each as its values' text joined by '|' (numbers in a canonical form, so both engines print alike).</summary>
    public async Task<List<string>> RowsAsync(string sql)
    {
        var project = await ProjectLoader.LoadAsync(Root, cancellationToken: TestContext.Current.CancellationToken);
        using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        using var reader = warehouse.Query(sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Canonical(reader.GetValue(i)))));
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
        return rows;
    }

    private static string Canonical(object value) => value switch
    {
        decimal d => d.ToString("0.############################", CultureInfo.InvariantCulture),
        double d => ((decimal)d).ToString("0.############################", CultureInfo.InvariantCulture),
        float f => ((decimal)f).ToString("0.############################", CultureInfo.InvariantCulture),
        int or long or short or byte => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        string s when decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d.ToString("0.############################", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t when t.TimeOfDay == TimeSpan.Zero => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("target", StringComparison.Ordinal) || relative.StartsWith("lake", StringComparison.Ordinal) || relative.Contains("warehouse.duckdb", StringComparison.Ordinal) || relative.StartsWith(".wharf", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    public void Dispose() => directory.Delete(recursive: true);
}
