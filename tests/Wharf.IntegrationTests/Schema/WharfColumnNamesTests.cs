using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Schema;

/// <summary>
/// A source column named like one of Wharf's own (a table copied out of another Wharf warehouse)
/// is loaded numbered, <c>_wharf_run_id_2</c>: Wharf's column keeps the run that loaded the row.
/// It used to take over the column in a replace (Wharf's run id moved to <c>_wharf_run_id_1</c>)
/// and to fail every append, merge and scd2 load as a duplicate column.
/// </summary>
public sealed class WharfColumnNamesTests(PostgresServer postgres)
{
    public static TheoryData<string, WarehouseUnderTest> Modes()
    {
        var data = new TheoryData<string, WarehouseUnderTest>();
        foreach (var mode in new[] { "mode: replace", "mode: append", "mode: merge\nprimary_key: [id]", "mode: scd2\nprimary_key: [id]" })
        {
            data.Add(mode, WarehouseUnderTest.DuckDb);
            data.Add(mode, WarehouseUnderTest.Postgres);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task SourceColumnsNamedLikeWharfs_AreLoadedNumbered_BesideWharfsOwn(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await SchemaProject.CreateAsync(postgres, warehouse);
        project.ConfigureCsv(mode);
        project.Csv("id,_wharf_run_id,_wharf_loaded_at,_wharf_is_current\n1,legacy-42,yesterday,maybe\n");

        await project.RunAsync();
        project.Csv("id,_wharf_run_id,_wharf_loaded_at,_wharf_is_current\n1,legacy-43,today,nope\n");
        var second = await project.RunAsync();

        var current = mode.Contains("scd2", StringComparison.Ordinal) ? " WHERE _wharf_is_current" : "";
        var rows = await project.RowsAsync($"SELECT id, _wharf_run_id_2, _wharf_loaded_at_2, _wharf_is_current_2, _wharf_run_id FROM raw.items{current} ORDER BY _wharf_loaded_at DESC LIMIT 1");
        rows.ShouldBe([$"1 | legacy-43 | today | nope | {second.RunId}"], $"{mode} into {warehouse}");
    }
}
