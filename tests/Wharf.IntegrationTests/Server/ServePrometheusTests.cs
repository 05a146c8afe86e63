using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Wharf.IntegrationTests.Server;

/// <summary>
/// examples/monitoring with Debian's real <c>prometheus</c>: the rules pass <c>promtool</c>, and
/// Prometheus scrapes a running <c>wharf serve</c> and answers queries over what it loaded.
/// </summary>
public sealed class ServePrometheusTests
{
    private const string Missing = "Debian's prometheus package is needed (scripts/test.sh installs it as root: apt-get install prometheus).";

    [Fact]
    public async Task PromtoolChecksTheExampleRules()
    {
        var (exit, output) = await RunAsync("promtool", ["check", "rules", Path.Combine(Repository, "examples", "monitoring", "wharf-rules.yml")]);

        exit.ShouldBe(0, output);
        output.ShouldContain("SUCCESS: 5 rules found");
    }

    [Fact]
    public async Task Prometheus_ScrapesServe_AndAnswersWithItsSeries()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = Directory.CreateTempSubdirectory("wharf-serve-prom-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        await File.WriteAllTextAsync(Path.Combine(project, "data", "orders.csv"), "order_id,amount\n1,10\n2,20\n3,30\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), """
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders, freshness: 1h }
            """, ct);
        using var serve = ServeProcess.Start(project, null);
        var wharf = await serve.ListeningAsync(ct);
        using var http = new HttpClient();
        (await http.PostAsync(new Uri(wharf, "/api/pipelines/orders/runs"), null, ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        // The example's configuration, pointed at this server and scraping every second.
        var config = (await File.ReadAllTextAsync(Path.Combine(Repository, "examples", "monitoring", "prometheus.yml"), ct))
            .Replace("127.0.0.1:8080", $"127.0.0.1:{wharf.Port}", StringComparison.Ordinal)
            .Replace("15s", "1s", StringComparison.Ordinal)
            .Replace("wharf-rules.yml", Path.Combine(Repository, "examples", "monitoring", "wharf-rules.yml"), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(project, "prometheus.yml"), config, ct);
        var port = FreePort();
        using var prometheus = StartPrometheus(project, port);
        try
        {
            var value = await QueryAsync(http, port, "wharf_rows_loaded_total", ct);
            value.GetProperty("metric").GetProperty("pipeline").GetString().ShouldBe("orders");
            value.GetProperty("metric").GetProperty("table").GetString().ShouldBe("main.orders");
            value.GetProperty("value")[1].GetString().ShouldBe("3");
            (await QueryAsync(http, port, "wharf_freshness_sla_seconds", ct)).GetProperty("value")[1].GetString().ShouldBe("3600");
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync(ct);
        }
    }

    private static async Task<JsonElement> QueryAsync(HttpClient http, int port, string query, CancellationToken ct)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                var answer = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/api/v1/query?query={Uri.EscapeDataString(query)}", ct);
                if (answer.GetProperty("data").GetProperty("result") is { ValueKind: JsonValueKind.Array } result && result.GetArrayLength() > 0)
                {
                    return result[0];
                }
            }
            catch (HttpRequestException)
            {
                // Prometheus is still starting.
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"Prometheus had no {query} after 60 s.");
    }

    private static Process StartPrometheus(string directory, int port)
    {
        var start = new ProcessStartInfo("prometheus") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[$"--config.file={Path.Combine(directory, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}"])
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(Missing, ex);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(Missing, ex);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Repository { get; } = FindRepository();

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Wharf.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Wharf.slnx above {AppContext.BaseDirectory}.");
    }
}
