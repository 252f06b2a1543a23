namespace BatchBuild.Runner;

/// <summary>
/// The <c>dotnet test</c> invocation port of a <see cref="ProjectRun"/>: what the projects of one
/// invocation share (an ID and worker slots), and how the batch is closed once, after the last of
/// them. In VSTest mode the SDK's post-processing step closes it; in Microsoft.Testing.Platform mode
/// the last launcher to end does.
/// </summary>
internal interface IDotnetTestInvocation
{
    /// <summary>
    /// The ID a new batch ID is derived from when none is set: the same for every project of the
    /// invocation.
    /// </summary>
    Guid Id { get; }

    /// <summary>The folder of the worker slots every project of the invocation competes for.</summary>
    string WorkerSlots { get; }

    /// <summary>Arranges the close after the last project, before this project's first test batch runs.</summary>
    Task PrepareCloseAsync(ProjectClose close, CancellationToken cancellationToken);

    /// <summary>Ends this project's part of the invocation, closing the batch when it is the last.</summary>
    Task FinishAsync(ProjectClose close, CancellationToken cancellationToken);
}
