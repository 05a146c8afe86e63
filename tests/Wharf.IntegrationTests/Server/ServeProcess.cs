using System.Diagnostics;
using System.Text;

namespace Wharf.IntegrationTests.Server;

/// <summary>A real <c>wharf serve</c> child process (the wharf.dll built beside the tests) on a free port of 127.0.0.1.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"wharf serve exited with {process.ExitCode}:\n{Log}"));
    }

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public int Id => process.Id;

    /// <summary>Starts <c>wharf serve --port 0 ARGS --project PROJECT</c> (without <c>--port 0</c> when ARGS has a port).</summary>
    public static ServeProcess Start(string project, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] port = args.Contains("--port") ? [] : ["--port", "0"];
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "wharf.dll"), "serve", .. port, .. args, "--project", project])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new ServeProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    /// <summary>The address from the "Listening on" log line.</summary>
    public Task<Uri> ListeningAsync(CancellationToken cancellationToken) => listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

    /// <summary>SIGTERM, as systemd or Kubernetes sends it.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        return process.ExitCode;
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }

        var at = line.IndexOf("Listening on ", StringComparison.Ordinal);
        if (at >= 0)
        {
            listening.TrySetResult(new Uri(line[(at + "Listening on ".Length)..].Trim()));
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }
}
