using Wharf.Pipelines;

namespace Wharf.Tests.Pipelines;

/// <summary>One run of a pipeline at a time, and the second one is told who holds it.</summary>
public sealed class PipelineLockTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-lock-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public async Task Acquire_WhileHeld_FailsNamingTheHolder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var first = await PipelineLock.AcquireAsync(directory.FullName, "orders", "run-one", TimeSpan.Zero, TimeProvider.System, ct);

        var error = await Should.ThrowAsync<WharfException>(() =>
            PipelineLock.AcquireAsync(directory.FullName, "orders", "run-two", TimeSpan.Zero, TimeProvider.System, ct));

        error.Message.ShouldContain("Pipeline 'orders' is already running: run run-one");
        error.Message.ShouldContain($"process {Environment.ProcessId}");
        error.Message.ShouldContain("--wait");
    }

    [Fact]
    public async Task Acquire_OtherPipeline_IsIndependent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var orders = await PipelineLock.AcquireAsync(directory.FullName, "orders", "a", TimeSpan.Zero, TimeProvider.System, ct);
        using var customers = await PipelineLock.AcquireAsync(directory.FullName, "customers", "b", TimeSpan.Zero, TimeProvider.System, ct);

        File.ReadAllText(Path.Combine(directory.FullName, ".wharf", "locks", "customers.holder")).ShouldStartWith("run b ");
    }

    [Fact]
    public async Task Acquire_WithWait_GetsTheLockOnceReleased()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await PipelineLock.AcquireAsync(directory.FullName, "orders", "run-one", TimeSpan.Zero, TimeProvider.System, ct);
        var waiting = PipelineLock.AcquireAsync(directory.FullName, "orders", "run-two", TimeSpan.FromSeconds(30), TimeProvider.System, ct);
        await Task.Delay(600, ct);
        waiting.IsCompleted.ShouldBeFalse();

        first.Dispose();
        using var second = await waiting;

        File.ReadAllText(Path.Combine(directory.FullName, ".wharf", "locks", "orders.holder")).ShouldStartWith("run run-two ");
    }
}
