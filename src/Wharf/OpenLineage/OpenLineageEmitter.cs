using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.OpenLineage;

/// <summary>
/// Turns what runs and builds report into OpenLineage events: START when a stream (or model)
/// starts, COMPLETE or FAIL when it ends, with the same run id (a UUID derived from Wharf's run
/// id). Events are queued and sent in the background, so a slow endpoint never slows a load;
/// disposing waits for the queue to drain.
/// </summary>
internal sealed class OpenLineageEmitter : IProgress<RunEvent>, IAsyncDisposable
{
    private readonly Project project;
    private readonly OpenLineageSettings settings;
    private readonly TimeProvider time;
    private readonly OpenLineageTransport transport;
    private readonly Channel<JsonObject> queue = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(string, string), string> started = new();
    private readonly Task sending;

    private OpenLineageEmitter(Project project, OpenLineageSettings settings, TimeProvider time, ILogger logger, HttpClient? client)
    {
        this.project = project;
        this.settings = settings;
        this.time = time;
        transport = new OpenLineageTransport(settings, logger, client);
        sending = Task.Run(SendAllAsync);
    }

    /// <summary>An emitter when the project asks for OpenLineage; null otherwise.</summary>
    public static OpenLineageEmitter? For(Project project, TimeProvider time, ILogger logger, HttpClient? client = null) =>
        project.OpenLineage is { } settings ? new OpenLineageEmitter(project, settings, time, logger, client) : null;

    /// <summary>Reports to this emitter and to <paramref name="other"/>.</summary>
    public IProgress<RunEvent> Beside(IProgress<RunEvent>? other) => other is null ? this : new Both(this, other);

    public void Report(RunEvent value)
    {
        switch (value)
        {
            case StreamStarted { RunId: { } runId } start:
                started[(start.Pipeline, start.Stream)] = runId;
                Enqueue("START", runId, start.Pipeline, start.Stream, start.Target, null, null);
                break;
            case StreamFinished finished:
                var record = finished.Record;
                started.TryRemove((record.Pipeline, record.Stream), out _);
                Enqueue(record.Status == RunStatus.Succeeded ? "COMPLETE" : "FAIL", record.RunId, record.Pipeline, record.Stream, record.Target, record.RowsLoaded, record.Error);
                break;
        }
    }

    /// <summary>A model build starts (<paramref name="finished"/> null) or ends.</summary>
    public void Model(string runId, string model, string relation, string sql, string dialect, IEnumerable<string> reads, RunRecord? finished)
    {
        var job = $"model.{model}";
        var eventType = finished is null ? "START" : finished.Status == RunStatus.Succeeded ? "COMPLETE" : "FAIL";
        var inputs = reads.Select(r => OpenLineageDatasets.Table(project.Warehouse, r));
        var output = OpenLineageDatasets.Table(project.Warehouse, relation) with { Rows = finished?.RowsLoaded };
        queue.Writer.TryWrite(OpenLineageEvent.Run(eventType, time.GetUtcNow(), OpenLineageEvent.RunId(runId, job), settings.Namespace, job, "MODEL",
            inputs, [output], sql, dialect, finished?.Error));
    }

    private void Enqueue(string eventType, string runId, string pipeline, string stream, string? target, long? rows, string? error)
    {
        var job = $"{pipeline}.{stream}";
        var definition = project.Pipelines.FirstOrDefault(p => p.Name == pipeline);
        var inputs = definition is null ? [] : new[] { OpenLineageDatasets.Source(project, definition, stream) };
        var outputs = string.IsNullOrEmpty(target) ? [] : new[] { OpenLineageDatasets.Table(project.Warehouse, target) with { Rows = rows } };
        queue.Writer.TryWrite(OpenLineageEvent.Run(eventType, time.GetUtcNow(), OpenLineageEvent.RunId(runId, job), settings.Namespace, job, "JOB", inputs, outputs, error: error));
    }

    private async Task SendAllAsync()
    {
        await foreach (var @event in queue.Reader.ReadAllAsync())
        {
            await transport.SendAsync(@event, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await sending;
        transport.Dispose();
    }

    private sealed class Both(IProgress<RunEvent> first, IProgress<RunEvent> second) : IProgress<RunEvent>
    {
        public void Report(RunEvent value)
        {
            first.Report(value);
            second.Report(value);
        }
    }
}
