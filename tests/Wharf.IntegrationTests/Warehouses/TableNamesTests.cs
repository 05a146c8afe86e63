using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Warehouses;

/// <summary>
/// A table may have any name, including the one-letter names the loads' SQL gives its own
/// relations (the changed rows, the source's keys): a name that is also an alias made a merge,
/// an scd2 load or delete detection fail with "ambiguous reference" on every run after the first.
/// </summary>
public sealed class TableNamesTests(PostgresServer postgres)
{
    public static TheoryData<string, string, WarehouseUnderTest> Cases()
    {
        var data = new TheoryData<string, string, WarehouseUnderTest>();
        foreach (var table in new[] { "c", "k", "s", "t" })
        {
            foreach (var mode in new[] { "merge", "scd2" })
            {
                data.Add(table, mode, WarehouseUnderTest.DuckDb);
                data.Add(table, mode, WarehouseUnderTest.Postgres);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ATableNamedLikeAnAlias_TakesUpdatesInsertsAndDeletes(string table, string mode, WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, $"""
            create table {table} (id int primary key, name text, updated_at timestamptz);
            insert into {table} values (1, 'a', '2026-01-01 00:00:00+00'), (2, 'b', '2026-01-01 00:00:00+00'), (3, 'c', '2026-01-01 00:00:00+00');
            """);
        project.Configure($"mode: {mode}\ncursor: updated_at\ndetect_deletes: true", table);

        await project.RunAsync();
        await project.ExecuteSourceAsync($"""
            update {table} set name = 'b2', updated_at = '2026-01-02 00:00:00+00' where id = 2;
            delete from {table} where id = 3;
            insert into {table} values (4, 'd', '2026-01-02 00:00:00+00');
            """);
        var second = await project.RunAsync();

        (second.RowsInserted, second.RowsUpdated, second.RowsDeleted).ShouldBe((1, 1, 1), $"{mode} into {warehouse}");
        var current = mode == "scd2" ? " where _wharf_is_current" : "";
        (await project.WarehouseRowsAsync($"select id, name from raw.{table}{current} order by id"))
            .Select(r => string.Join(" | ", r.Select(IncrementalProject.Format)))
            .ShouldBe(["1 | a", "2 | b2", "4 | d"], $"{mode} into {warehouse}");
    }
}
