namespace BatchBuild.Runner.Tests;

/// <summary>A <c>dotnet test</c> invocation of one project, which records the close steps it was asked for.</summary>
internal sealed class RecordingInvocation(string workerSlots) : IDotnetTestInvocation
{
    public Guid Id { get; } = Guid.NewGuid();

    public string WorkerSlots => workerSlots;

    public List<string> Steps { get; } = [];

    public Task PrepareCloseAsync(ProjectClose close, CancellationToken cancellationToken)
    {
        Steps.Add($"prepare {close.BatchId}");
        return Task.CompletedTask;
    }

    public Task FinishAsync(ProjectClose close, CancellationToken cancellationToken)
    {
        Steps.Add($"finish {close.BatchId}");
        return Task.CompletedTask;
    }
}
