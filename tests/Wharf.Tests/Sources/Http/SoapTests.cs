using System.Xml.Linq;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// SOAP pipelines against a real SOAP service on 127.0.0.1: both versions' content types and
/// actions, the envelope's values XML-escaped (special characters reach the server intact), pages
/// by a page element in the envelope (short page, total_path), record elements' attributes and
/// children as exact text columns (declared types applied), Faults of both versions refused with
/// code, text, URL and page and not retried, and the credentials nowhere in the output.
/// </summary>
public sealed class SoapTests : IDisposable
{
    private const string Password = "Soap-Pass-9182";
    private const string Token = "tok-77aa-secret";
    private readonly TempProject project = new();

    public SoapTests()
    {
        project.Write(".env", $"SOAP_PASSWORD={Password}\nSOAP_TOKEN={Token}\n");
        project.Write("quotes.xml", SoapProject.Envelope);
    }

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task Soap11_PagesOfRecords_BecomeExactColumns_AndValuesAreEscapedInTheEnvelope()
    {
        await using var server = await ApiServer.StartAsync("/StockService.asmx", SoapServer.Quotes("1.1", 2, 1));
        project.WithSoap(server.Url, "1.1", """["A&B <Main>", "NYSE"]""", "paginate: { type: page_number, size: 2 }");

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT market, symbol, exchange, price__currency, price__text, volume, name, note, page FROM quotes ORDER BY market, symbol").ShouldBe([
            "A&B <Main> | S1-1 | XNAS | USD | 11.10 | 123456789012345678901 | Zoë & Söhne <AG> ✓ | NULL | 1",
            "A&B <Main> | S1-2 | XNAS | USD | 12.10 | 123456789012345678902 | Zoë & Söhne <AG> ✓ | NULL | 1",
            "A&B <Main> | S2-1 | XNAS | USD | 21.10 | 123456789012345678901 | Zoë & Söhne <AG> ✓ | NULL | 2",
            "NYSE | S1-1 | XNAS | USD | 11.10 | 123456789012345678901 | Zoë & Söhne <AG> ✓ | NULL | 1",
            "NYSE | S1-2 | XNAS | USD | 12.10 | 123456789012345678902 | Zoë & Söhne <AG> ✓ | NULL | 1",
            "NYSE | S2-1 | XNAS | USD | 21.10 | 123456789012345678901 | Zoë & Söhne <AG> ✓ | NULL | 2",
        ]);
        var requests = server.To("/StockService.asmx");
        requests.Count.ShouldBe(4, "two pages per market: the second is short");
        requests.ShouldAllBe(r => r.Method == "POST" && r.Headers["Content-Type"] == "text/xml; charset=utf-8"
            && r.Headers["SOAPAction"] == "\"urn:example:stocks/GetQuotes\"" && r.Headers["Authorization"].StartsWith("Basic "));
        var sent = requests.Select(r => XDocument.Parse(r.Body)).ToList();
        sent.Select(d => d.Descendants(XName.Get("Market", SoapServer.Stocks)).Single().Value).ShouldContain("A&B <Main>");
        sent.ShouldAllBe(d => d.Descendants(XName.Get("Token", SoapServer.Stocks)).Single().Value == Token);
        requests.ShouldContain(r => r.Body.Contains("A&amp;B &lt;Main&gt;"));
        project.ShouldNotLeak(Password, result);
        project.ShouldNotLeak(Token, result);
    }

    [Fact]
    public async Task Soap12_SendsItsContentTypeWithTheAction_StopsAtTotalPath_AndAppliesDeclaredTypes()
    {
        await using var server = await ApiServer.StartAsync("/StockService.asmx", SoapServer.Quotes("1.2", 2, 2));
        project.WithSoap(server.Url, "1.2", """["NYSE"]""", """
            paginate: { type: page_number, total_path: "//m:TotalPages" }
            columns: { page: int64 }
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT symbol, price__text, page FROM quotes ORDER BY symbol").ShouldBe(["S1-1 | 11.10 | 1", "S1-2 | 12.10 | 1", "S2-1 | 21.10 | 2", "S2-2 | 22.10 | 2"]);
        project.Rows("SELECT data_type FROM information_schema.columns WHERE table_name = 'quotes' AND column_name IN ('page', 'volume') ORDER BY column_name")
            .ShouldBe(["BIGINT", "VARCHAR"]);
        var requests = server.To("/StockService.asmx");
        requests.Count.ShouldBe(2, "TotalPages says 2, so no third page is asked for");
        requests.ShouldAllBe(r => r.Headers["Content-Type"] == "application/soap+xml; charset=utf-8; action=\"urn:example:stocks/GetQuotes\"" && !r.Headers.ContainsKey("SOAPAction"));
    }

    [Theory]
    [InlineData("1.1", "code soap:Client, \"Unknown market BAD\"")]
    [InlineData("1.2", "code env:Sender / m:UnknownMarket, \"Unknown market BAD\"")]
    public async Task Fault_IsRefused_NamingCodeTextUrlAndPage_NotRetried_AndNothingIsLoaded(string version, string expected)
    {
        await using var server = await ApiServer.StartAsync("/StockService.asmx", SoapServer.Quotes(version, 1));
        project.WithSoap(server.Url, version, """["NYSE", "BAD"]""", "paginate: { type: page_number }");

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain($"({server.Url}/StockService.asmx) answered with a SOAP Fault: {expected}");
        result.Error.ShouldContain("page 1");
        result.Error.ShouldContain("Nothing was loaded.");
        server.To("/StockService.asmx").Count(r => r.Body.Contains(">BAD<")).ShouldBe(1, "a Fault is the service's answer, not a transient failure");
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'quotes'").ShouldBe(["0"]);
        project.ShouldNotLeak(Password, result);
    }
}
