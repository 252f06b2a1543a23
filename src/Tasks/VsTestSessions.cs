using System.Collections.Concurrent;

namespace BatchBuild.Tasks;

/// <summary>
/// The design-mode vstest.consoles of one project's run: one per worker that needs one, started
/// when first needed and ended with the run, each used by one worker at a time. With a
/// <paramref name="diagnosticLog"/> (<c>--diag</c>), each writes its own log beside it, named
/// after the project and the session's number.
/// </summary>
internal sealed class VsTestSessions(string consolePath, string? diagnosticLog = null, string? project = null)
    : IDisposable
{
    private int _started;

    private readonly ConcurrentBag<VsTestSession> _idle = [];
    private readonly ConcurrentBag<VsTestSession> _all = [];

    /// <summary>
    /// Runs <paramref name="work"/> on an idle session, started if there is none, off the caller's thread.
    /// </summary>
    /// <exception cref="TestPlatformException">
    /// vstest.console could not be started or failed; that session is not used again.
    /// </exception>
    public Task<T> UseAsync<T>(Func<VsTestSession, T> work) => Task.Run(() =>
    {
        VsTestSession? session = null;
        try
        {
            if (!_idle.TryTake(out session))
            {
                session = VsTestSession.Start(consolePath, LogFor(Interlocked.Increment(ref _started)));
                _all.Add(session);
            }

            var result = work(session);
            _idle.Add(session);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TestPlatformException($"vstest.console ({consolePath}) failed in design mode: {e.Message}", e);
        }
    });

    private string? LogFor(int session) =>
        diagnosticLog is null
            ? null
            : Path.Combine(
                Path.GetDirectoryName(Path.GetFullPath(diagnosticLog))!,
                $"{Path.GetFileNameWithoutExtension(diagnosticLog)}.{project}.{session}"
                + (Path.HasExtension(diagnosticLog) ? Path.GetExtension(diagnosticLog) : ".txt"));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var session in _all)
        {
            session.Dispose();
        }
    }
}
