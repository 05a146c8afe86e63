using System.Globalization;

using Wharf.Runs;

namespace Wharf.Pipelines;

/// <summary>
/// One run of a pipeline at a time. The lock is an OS file lock on
/// <c>.wharf/locks/&lt;pipeline&gt;.lock</c> in the project folder, so the OS releases it when
/// the holder dies, even by kill -9; who holds it is written beside it, for the message the
/// next run prints.
/// </summary>
internal sealed class PipelineLock : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly FileStream stream;
    private readonly string holderPath;

    private PipelineLock(FileStream stream, string holderPath)
    {
        this.stream = stream;
        this.holderPath = holderPath;
    }

    /// <summary>Takes the pipeline's lock, waiting up to <paramref name="wait"/> for a run that holds it.</summary>
    /// <exception cref="WharfException">Another run holds the lock (past the wait); the message names it.</exception>
    public static async Task<PipelineLock> AcquireAsync(string projectDirectory, string pipeline, string runId, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(projectDirectory, ".wharf", "locks");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, pipeline + ".lock");
        var holderPath = Path.Combine(folder, pipeline + ".holder");
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix: a second process (or handle) cannot take it.
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                await File.WriteAllTextAsync(holderPath, Holder(runId, time), cancellationToken);
                return new PipelineLock(stream, holderPath);
            }
            catch (IOException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
            }
            catch (IOException ex)
            {
                var holder = await ReadHolderAsync(holderPath, cancellationToken);
                throw new PipelineLockedException(pipeline, holder,
                    $"Pipeline '{pipeline}' is already running: {holder}. Two runs of one pipeline never write at once; " +
                    (wait > TimeSpan.Zero ? $"waited {wait.TotalSeconds:0}s. " : "") +
                    "Wait for it to finish, or pass --wait SECONDS to queue behind it.", ex);
            }
        }
    }

    /// <summary>
    /// Who holds the lock. The holder writes its name just after taking the lock, so a run that
    /// lost a race by microseconds may find the file missing or empty: it looks again for a moment.
    /// </summary>
    private static async Task<string> ReadHolderAsync(string holderPath, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                if (File.Exists(holderPath) && (await File.ReadAllTextAsync(holderPath, cancellationToken)).Trim() is { Length: > 0 } holder)
                {
                    return holder;
                }
            }
            catch (IOException)
            {
                // Being rewritten or deleted: look again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
        }

        return "another run";
    }

    /// <summary>Who runs: <c>run 2026…-3f9a2c (process 4242 on etl-01, started 2026-11-22 10:15:00 UTC)</c>.</summary>
    public static string Holder(string runId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return $"run {runId} (process {Environment.ProcessId} on {Environment.MachineName}, started {time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC)";
    }

    public void Dispose()
    {
        File.Delete(holderPath);
        stream.Dispose();
    }
}
