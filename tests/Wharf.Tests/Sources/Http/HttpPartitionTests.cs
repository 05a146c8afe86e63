using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary><c>for_each:</c> over dates (with <c>--var</c>), a list, and the rows of a warehouse table (parent and child resources).</summary>
public sealed class HttpPartitionTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task Dates_OneRequestPerDay_WithDateStartAndEnd_InPathAndParams()
    {
        await using var server = await ApiServer.StartAsync(new Dictionary<string, Func<ApiContext, Task>>
        {
            ["/readings/2024-01-01"] = c => c.Json("""[{"turbine": "T1", "power": 1.5}]"""),
            ["/readings/2024-01-02"] = c => c.Json("""[{"turbine": "T1", "power": 2.5}, {"turbine": "T2", "power": 3.5}]"""),
            ["/readings/2024-01-03"] = c => c.Json("[]"),
        });
        project.WithApi(server.Url, """
              readings:
                source: api
                endpoint: "/readings/{{ date }}"
                params: { from: "{{ start }}", to: "{{ end }}" }
                for_each:
                  dates: { from: "${first}", to: "${last}", step: 1d }
                  include: { day: date }
            """);

        var result = await project.RunAsync("run", "--var", "first=2024-01-01", "--var", "last=2024-01-03");

        result.ExitCode.ShouldBe(0, result.ToString());
        server.Requests.Select(r => r.PathAndQuery).Order().ShouldBe([
            "/readings/2024-01-01?from=2024-01-01&to=2024-01-02",
            "/readings/2024-01-02?from=2024-01-02&to=2024-01-03",
            "/readings/2024-01-03?from=2024-01-03&to=2024-01-04",
        ]);
        project.Rows("SELECT CAST(day AS VARCHAR), turbine, power FROM readings ORDER BY day, turbine").ShouldBe(["2024-01-01 | T1 | 1.5", "2024-01-02 | T1 | 2.5", "2024-01-02 | T2 | 3.5"]);
        project.Rows("SELECT count(*) FROM _wharf.state WHERE checkpoint IS NOT NULL").ShouldBe(["0"], "a run that finished leaves no checkpoint");
    }

    [Fact]
    public async Task QueryRows_OfAParentTable_RunTheChildResourcePerParent_KeepingTheParentKey()
    {
        await using var server = await ApiServer.StartAsync(new Dictionary<string, Func<ApiContext, Task>>
        {
            ["/customers"] = c => c.Json("""[{"id": 1, "name": "Ana"}, {"id": 2, "name": "Bo"}, {"id": 3, "name": "Cy"}]"""),
            ["/customers/1/orders"] = c => c.Json("""[{"order_id": 10, "amount": 5}, {"order_id": 11, "amount": 6}]"""),
            ["/customers/2/orders"] = c => c.Json("[]"),
            ["/customers/3/orders"] = c => c.Json("""[{"order_id": 30, "amount": 7}]"""),
        });
        project.WithApi(server.Url, """
              customers:
                source: api
                endpoint: /customers
                mode: replace
              orders:
                source: api
                endpoint: "/customers/{{ id }}/orders"
                for_each: { query: "select id from customers order by id" }
                mode: merge
                primary_key: [order_id]
            """);

        var result = await project.RunAsync("run");
        var again = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        again.ExitCode.ShouldBe(0, again.ToString());
        project.Rows("SELECT parent_id, order_id, amount FROM orders ORDER BY order_id").ShouldBe(["1 | 10 | 5", "1 | 11 | 6", "3 | 30 | 7"]);
        server.To("/customers/2/orders").Count.ShouldBe(2, "every partition is fetched again by the next run");
    }

    [Fact]
    public async Task Values_WithReplace_LoadAllPartitionsAtOnce_ListsBecomingChildTables()
    {
        await using var server = await ApiServer.StartAsync("/stations", c => c.Json(
            $$"""[{"station": "{{c.Query("region")}}-1", "sensors": [{"kind": "temp"}, {"kind": "wind"}]}]"""));
        project.WithApi(server.Url, """
              stations:
                source: api
                endpoint: /stations
                params: { region: "{{ value }}" }
                for_each: { values: [north, south], include: { region: value } }
                mode: replace
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT region, station FROM stations ORDER BY region").ShouldBe(["north | north-1", "south | south-1"]);
        project.Rows("SELECT s.region, k.kind FROM stations__sensors k JOIN stations s ON k._wharf_parent_id = s._wharf_id ORDER BY 1, 2")
            .ShouldBe(["north | temp", "north | wind", "south | temp", "south | wind"]);
    }

    [Fact]
    public async Task Values_WithMerge_CommitEachPartition_LeavingOutTheListsOfRecordsSetAside()
    {
        // North's record 2 is quarantined by the check, south's record 4 removed by the filter; east
        // brings record 2 again, passing this time: its list loads, whatever north's part set aside.
        await using var server = await ApiServer.StartAsync("/stations", c => c.Json(c.Query("region") switch
        {
            "north" => """[{"id": 1, "station": "n-1", "sensors": [{"kind": "temp"}]}, {"id": 2, "station": "bad", "sensors": [{"kind": "wind"}]}]""",
            "east" => """[{"id": 2, "station": "e-2", "sensors": [{"kind": "fog"}]}]""",
            _ => """[{"id": 3, "station": "s-1", "sensors": [{"kind": "rain"}, {"kind": "sun"}]}, {"id": 4, "station": "s-2", "sensors": [{"kind": "hail"}]}]""",
        }));
        project.WithApi(server.Url, """
              stations:
                source: api
                endpoint: /stations
                params: { region: "{{ value }}" }
                for_each: { values: [north, east, south] }
                mode: merge
                primary_key: [id]
                on_check_failure: quarantine
                checks: [{ expression: "station <> 'bad'" }]
                transform: [{ filter: "id <> 4" }]
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT s.id, s.station, k.kind FROM stations s JOIN stations__sensors k ON k._wharf_parent_id = s._wharf_id ORDER BY 1, 3")
            .ShouldBe(["1 | n-1 | temp", "2 | e-2 | fog", "3 | s-1 | rain", "3 | s-1 | sun"]);
        project.Rows("SELECT count(*) FROM stations__sensors").ShouldBe(["4"], "no sensor of a record that was not loaded");
        project.Rows("SELECT id, station FROM stations__quarantine").ShouldBe(["2 | bad"]);
    }

    [Fact]
    public async Task FullRefresh_OfPartitionsWhoseListIsGone_EmptiesItsChildTable_KeepingItsColumns()
    {
        var withLists = true;
        await using var server = await ApiServer.StartAsync("/stations", c => c.Json(withLists
            ? $$"""[{"id": "{{c.Query("region")}}", "sensors": [{"kind": "temp"}, {"kind": "wind"}]}]"""
            : $$"""[{"id": "{{c.Query("region")}}", "sensors": null}]"""));
        project.WithApi(server.Url, """
              stations:
                source: api
                endpoint: /stations
                params: { region: "{{ value }}" }
                for_each: { values: [north, south] }
                mode: merge
                primary_key: [id]
            """);
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        project.Rows("SELECT count(*) FROM stations__sensors").ShouldBe(["4"]);

        // A merge keeps the rows of a list that is gone (as a shrunken list keeps its tail)...
        withLists = false;
        var merged = await project.RunAsync("run");
        merged.ExitCode.ShouldBe(0, merged.ToString());
        project.Rows("SELECT count(*) FROM stations__sensors").ShouldBe(["4"]);

        // ...but a full refresh rebuilds every table of the stream: no sensor is left under the stations it dropped.
        var refreshed = await project.RunAsync("run", "--full-refresh");

        refreshed.ExitCode.ShouldBe(0, refreshed.ToString());
        project.Rows("SELECT id FROM stations ORDER BY id").ShouldBe(["north", "south"]);
        project.Rows("SELECT count(*) FROM stations__sensors").ShouldBe(["0"]);
        project.Rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'stations__sensors' AND column_name = 'kind'").ShouldBe(["kind"]);
        project.Rows("SELECT status FROM _wharf.runs WHERE stream = 'stations__sensors' ORDER BY started_at DESC LIMIT 1").ShouldBe(["succeeded"]);
    }
}
