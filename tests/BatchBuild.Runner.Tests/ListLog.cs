using System.Collections.Concurrent;
using BatchBuild.Core;

namespace BatchBuild.Runner.Tests;

/// <summary>A project's log, kept for the test to read.</summary>
internal sealed class ListLog : IRunLog
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ConcurrentQueue<Diagnostic> Diagnostics { get; } = new();

    public void Say(string text, bool important = true) => Lines.Enqueue(text);

    public void Report(Diagnostic diagnostic) => Diagnostics.Enqueue(diagnostic);

    public override string ToString() =>
        string.Join(Environment.NewLine, Lines.Concat(Diagnostics.Select(d => d.ToString())));
}
