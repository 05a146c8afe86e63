using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// Repeated XML elements become child tables, as lists of JSON do: with <c>repeated:</c> an element
/// that appears twice, once or not at all in a record is a list in every record; without it, the
/// run is refused with advice naming the element, and nothing is loaded. And test-connection asks for the WSDL.
/// </summary>
public sealed class SoapListTests : IDisposable
{
    private readonly TempProject project = new();

    public SoapListTests()
    {
        project.Write(".env", "SOAP_PASSWORD=p\nSOAP_TOKEN=t\n");
        project.Write("quotes.xml", SoapProject.Envelope);
    }

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task RepeatedElements_BecomeChildTables_WithTheirParentAndOrder_EvenWhereTheyAppearOnceOrNever()
    {
        await using var server = await ApiServer.StartAsync("/StockService.asmx", SoapServer.QuotesWithTrades());
        project.WithSoap(server.Url, "1.1", """["NYSE"]""", "repeated: [Trade, Flag]\npaginate: { type: page_number, size: 10 }");

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT symbol FROM quotes ORDER BY symbol").ShouldBe(["S1", "S2", "S3"]);
        project.Rows("""
            SELECT q.symbol, t._wharf_list_idx, t.id, t.qty FROM quotes__trade t JOIN quotes q ON q._wharf_id = t._wharf_parent_id
            ORDER BY q.symbol, t._wharf_list_idx
            """).ShouldBe(["S1 | 0 | t1 | 100", "S1 | 1 | t2 | 0.5", "S2 | 0 | t3 | 12345678901234567890.123"]);
        project.Rows("""
            SELECT t.id, f._wharf_list_idx, f.value FROM quotes__trade__flag f JOIN quotes__trade t ON t._wharf_id = f._wharf_parent_id
            ORDER BY t.id, f._wharf_list_idx
            """).ShouldBe(["t1 | 0 | odd-lot", "t1 | 1 | late", "t2 | 0 | block", "t3 | 0 | late"]);
    }

    [Fact]
    public async Task AnElementRepeatedInSomeRecordsOnly_WithoutRepeated_IsRefusedNamingIt_AndNothingIsLoaded()
    {
        await using var server = await ApiServer.StartAsync("/StockService.asmx", SoapServer.QuotesWithTrades());
        project.WithSoap(server.Url, "1.1", """["NYSE"]""", "paginate: { type: page_number, size: 10 }");

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("changes the records' schema");
        result.Error.ShouldContain("'repeated: [Flag]'", customMessage: "the first element found repeated in one record and single in the next: t1 has two flags, t2 one");
        result.Error.ShouldContain("Nothing was loaded.");
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'quotes%'").ShouldBe(["0"]);
    }

    [Fact]
    public async Task TestConnection_GetsTheWsdl_AndWithoutOne_AdvisesCheck()
    {
        await using var server = await ApiServer.StartAsync("/StockService.asmx", c => c.Request.HttpMethod == "GET" && c.Request.Url!.Query == "?wsdl"
            ? c.Text("<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\"/>", "text/xml")
            : c.Text("no", "text/plain", 405));
        project.WithSoap(server.Url, "1.1", """["NYSE"]""");

        var result = await project.RunAsync("test-connection", "stocks");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain($"GET {server.Url}/StockService.asmx?wsdl answered 200 OK");
        server.To("/StockService.asmx").Single().Method.ShouldBe("GET");

        await using var bare = await ApiServer.StartAsync("/StockService.asmx", c => c.Text("no", "text/plain", 405));
        project.WithSoap(bare.Url, "1.1", """["NYSE"]""");

        var refused = await project.RunAsync("test-connection", "stocks");

        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Error.ShouldContain($"Cannot reach 'stocks': GET {bare.Url}/StockService.asmx?wsdl: 405");
        refused.Error.ShouldContain("set 'check:' to a path that answers a GET");
    }
}
