using Wharf.Tests.Cli;

namespace Wharf.Tests.Sources.Http;

/// <summary>Mistakes in a SOAP pipeline's keys are refused when the project is read, at the key's line, saying what to do.</summary>
public sealed class SoapSettingsTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    [Theory]
    [InlineData("records: //q:Quote", "'//q:Quote' of pipeline 'quotes' is not a valid XPath")]
    [InlineData("records: //m:Quote\n    paginate: { type: offset, limit: 10 }", "can only be page_number")]
    [InlineData("records: //m:Quote\n    envelope: \"<x/>\"", "has both 'envelope:' and 'envelope_file:'")]
    public async Task BadKeys_AreRefused_SayingWhy(string keys, string expected)
    {
        project.Write("quotes.xml", SoapProject.Envelope);
        project.Write(".env", "SOAP_TOKEN=t\n");
        project.Write("wharf.yml", $"""
            warehouse: duckdb:warehouse.duckdb
            connections:
              stocks: {"{"} type: soap, endpoint: "http://127.0.0.1:9/Service.asmx", version: "1.2" {"}"}
            pipelines:
              quotes:
                source: stocks
                envelope_file: quotes.xml
                namespaces: {"{"} m: "urn:example:stocks" {"}"}
                {keys}
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Error.ShouldContain(expected);
        result.Error.ShouldContain("wharf.yml:");
    }

    [Fact]
    public async Task UnknownVersion_IsRefused()
    {
        project.Write("wharf.yml", """
            warehouse: duckdb:warehouse.duckdb
            connections:
              stocks: { type: soap, endpoint: "http://127.0.0.1:9/Service.asmx", version: "2.0" }
            pipelines:
              quotes: { source: stocks, envelope: "<x/>", records: //x }
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Error.ShouldContain("'version' of connection 'stocks' must be 1.1 or 1.2");
    }
}
