using Wharf.Tests.Cli;

namespace Wharf.Tests.Sources.Http;

/// <summary>A project whose connection <c>stocks</c> is a <c>soap</c> connection to a test server, with one pipeline <c>quotes</c>.</summary>
internal static class SoapProject
{
    /// <summary>The envelope of the quotes pipeline: the market from <c>for_each</c>, the page, and a token from the environment.</summary>
    public const string Envelope = """
        <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:example:stocks">
          <soap:Body>
            <m:GetQuotes>
              <m:Market>{{ value }}</m:Market>
              <m:Page>{{ page }}</m:Page>
              <m:Token>${SOAP_TOKEN}</m:Token>
            </m:GetQuotes>
          </soap:Body>
        </soap:Envelope>
        """;

    /// <param name="pipeline">Extra keys of the pipeline, as YAML lines (indented under it).</param>
    public static TempProject WithSoap(this TempProject project, string url, string version, string markets, string pipeline = "") => project.Write("wharf.yml", $"""
        warehouse: duckdb:warehouse.duckdb
        lake: lake/
        connections:
          stocks:
            type: soap
            endpoint: "{url}/StockService.asmx"
            version: "{version}"
            action: "urn:example:stocks/GetQuotes"
            auth: {"{"} type: basic, user: wharf, password: "${"{"}SOAP_PASSWORD{"}"}" {"}"}
            retry: {"{"} attempts: 3, delay: 50ms, max_time: 20s {"}"}
        pipelines:
          quotes:
            source: stocks
            envelope_file: quotes.xml
            records: //m:Quotes/m:Quote
            namespaces: {"{"} m: "urn:example:stocks" {"}"}
            for_each: {"{"} values: {markets} {"}"}
            mode: replace
        {Indent(pipeline, 4)}
        """);

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => new string(' ', spaces) + l.TrimEnd()));
}
