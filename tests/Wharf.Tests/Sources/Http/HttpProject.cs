using Wharf.Tests.Cli;

namespace Wharf.Tests.Sources.Http;

/// <summary>A project whose connection <c>api</c> is an <c>http</c> connection to a test server.</summary>
internal static class HttpProject
{
    /// <param name="connection">Extra keys of the connection, as YAML lines (indented under it).</param>
    /// <param name="pipelines">The pipelines block, as YAML lines indented by two spaces.</param>
    public static TempProject WithApi(this TempProject project, string baseUrl, string pipelines, string connection = "") => project.Write("wharf.yml", $"""
        warehouse: duckdb:warehouse.duckdb
        lake: lake/
        connections:
          api:
            type: http
            base_url: "{baseUrl}"
            retry: {"{"} attempts: 3, delay: 50ms, max_time: 20s {"}"}
        {Indent(connection, 4)}
        pipelines:
        {pipelines}
        """);

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => new string(' ', spaces) + l.TrimEnd()));
}
