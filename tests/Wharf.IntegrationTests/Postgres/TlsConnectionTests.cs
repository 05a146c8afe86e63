using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;
using Wharf.Postgres;
using Wharf.Projects;

namespace Wharf.IntegrationTests.Postgres;

/// <summary>
/// PostgreSQL over TLS with <c>sslmode=verify-full</c> and <c>sslrootcert</c>: a throwaway server
/// of its own (scripts/postgres.sh with WHARF_TEST_PG_SSL_DIR) whose certificate a CA made here
/// with openssl signed; the shared test server is not touched.
/// </summary>
public sealed partial class TlsConnectionTests : IAsyncLifetime
{
    private readonly DirectoryInfo certs = Directory.CreateTempSubdirectory("wharf-tls-");
    private string? serverDirectory;
    private int port;

    [GeneratedRegex(@"^export WHARF_TEST_(POSTGRES|PG_DIR)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex Export();

    public async ValueTask InitializeAsync()
    {
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Wharf test CA");
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.crt", "-days", "2", "-subj", "/CN=Another CA");
        await OpenSslAsync("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        await File.WriteAllTextAsync(Path.Combine(certs.FullName, "san.cnf"), "subjectAltName=DNS:localhost\n");
        await OpenSslAsync("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.cnf");

        var (exit, output, error) = await RunAsync("bash", new Dictionary<string, string> { ["WHARF_TEST_PG_SSL_DIR"] = certs.FullName },
            Path.Combine(RepositoryRoot.Path, "scripts", "postgres.sh"), "start");
        exit.ShouldBe(0, error);
        foreach (Match match in Export().Matches(output))
        {
            var value = match.Groups[2].Value.Replace("\\", "", StringComparison.Ordinal);
            if (match.Groups[1].Value == "PG_DIR")
            {
                serverDirectory = value;
            }
            else
            {
                port = new NpgsqlConnectionStringBuilder(value).Port;
            }
        }

        port.ShouldBeGreaterThan(0, output);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (serverDirectory is not null)
        {
            await RunAsync("bash", null, Path.Combine(RepositoryRoot.Path, "scripts", "postgres.sh"), "stop", serverDirectory);
        }

        certs.Delete(recursive: true);
    }

    private ConnectionSettings Connection(string host, string query) =>
        new("tls", "postgres") { Url = $"postgres://wharf@{host}:{port}/wharf_test?{query}" };

    [Fact]
    public async Task Verify_full_with_the_servers_CA_connects_over_TLS()
    {
        var settings = Connection("localhost", $"sslmode=verify-full&sslrootcert={Path.Combine(certs.FullName, "ca.crt")}");

        await using var connection = await PostgresConnector.OpenAsync(settings, TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        (await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)).ShouldBe(true);
        (await Wharf.Sources.ConnectionProbe.TestAsync(settings, TestContext.Current.CancellationToken)).ShouldStartWith("connected to wharf@localhost:");
    }

    [Fact]
    public async Task Verify_full_refuses_another_CA_and_a_host_the_certificate_does_not_name()
    {
        var otherCa = Connection("localhost", $"sslmode=verify-full&sslrootcert={Path.Combine(certs.FullName, "other.crt")}");
        var error = await Should.ThrowAsync<PostgresConnectionException>(() => PostgresConnector.OpenAsync(otherCa, TestContext.Current.CancellationToken));
        error.Message.ShouldContain("Cannot connect to 'tls'");

        // The certificate names localhost, not 127.0.0.1: verify-full checks the name, verify-ca only the chain.
        var byAddress = Connection("127.0.0.1", $"sslmode=verify-full&sslrootcert={Path.Combine(certs.FullName, "ca.crt")}");
        await Should.ThrowAsync<PostgresConnectionException>(() => PostgresConnector.OpenAsync(byAddress, TestContext.Current.CancellationToken));
        var chainOnly = Connection("127.0.0.1", $"sslmode=verify-ca&sslrootcert={Path.Combine(certs.FullName, "ca.crt")}");
        await using var connection = await PostgresConnector.OpenAsync(chainOnly, TestContext.Current.CancellationToken);
        connection.State.ShouldBe(System.Data.ConnectionState.Open);
    }

    private async Task OpenSslAsync(params string[] args)
    {
        var (exit, _, error) = await RunAsync("openssl", null, args);
        exit.ShouldBe(0, error);
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(string program, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = certs.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
