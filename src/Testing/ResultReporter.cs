using System.Buffers;
using System.Text.Json;
using BatchBuild.Core.Testing;
using Microsoft.Testing.Platform.Extensions;
using Microsoft.Testing.Platform.Extensions.Messages;

namespace BatchBuild.Testing;

/// <summary>
/// Writes each test's start and result to the file BatchBuild named, one JSON object a line,
/// flushed as it happens, so that a test host that crashes or is killed leaves what it reported
/// (the line's format is <see cref="ReporterLine"/>'s).
/// </summary>
internal sealed class ResultReporter : IDataConsumer, IDisposable
{
    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _writer;

    // Unbuffered: each line goes to the file in one write as it is made, so that a test host that
    // crashes or is killed leaves every line it wrote, whole.
    public ResultReporter(string path)
    {
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        _writer = new Utf8JsonWriter(_line);
    }

    /// <inheritdoc />
    public Type[] DataTypesConsumed => [typeof(TestNodeUpdateMessage)];

    /// <inheritdoc />
    public string Uid => "BatchBuild.ResultReporter";

    /// <inheritdoc />
    public string Version => "1.0.0";

    /// <inheritdoc />
    public string DisplayName => "BatchBuild";

    /// <inheritdoc />
    public string Description => "Reports each test's start and result to BatchBuild, which started this test host.";

    /// <inheritdoc />
    public Task<bool> IsEnabledAsync() => Task.FromResult(true);

    /// <inheritdoc />
    public Task ConsumeAsync(IDataProducer dataProducer, IData value, CancellationToken cancellationToken)
    {
        if (value is not TestNodeUpdateMessage { TestNode: var node })
        {
            return Task.CompletedTask;
        }

        var state = node.Properties.SingleOrDefault<TestNodeStateProperty>();
        var (name, error) = state switch
        {
            InProgressTestNodeStateProperty => (ReporterLine.Started, null),
            PassedTestNodeStateProperty => (ReporterLine.Passed, null),
            SkippedTestNodeStateProperty skipped => (ReporterLine.Skipped, skipped.Explanation),
            FailedTestNodeStateProperty failed =>
                (ReporterLine.Failed, failed.Exception?.Message ?? failed.Explanation),
            ErrorTestNodeStateProperty errored =>
                (ReporterLine.Failed, errored.Exception?.Message ?? errored.Explanation),
            TimeoutTestNodeStateProperty timedOut =>
                (ReporterLine.Failed, timedOut.Exception?.Message ?? timedOut.Explanation ?? "timed out"),
#pragma warning disable MTP0001, CS0618 // Cancelled is obsolete in newer platforms, and still reported by older ones.
            CancelledTestNodeStateProperty cancelled =>
                (ReporterLine.Failed, cancelled.Exception?.Message ?? cancelled.Explanation ?? "cancelled"),
#pragma warning restore MTP0001, CS0618
            _ => (null, null),
        };
        if (name is null)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            _writer.WriteStartObject();
            _writer.WriteString(ReporterLine.Uid, node.Uid.Value);
            _writer.WriteString(ReporterLine.State, name);
            if (name != ReporterLine.Started)
            {
                _writer.WriteString(ReporterLine.Name, node.DisplayName);
                var timing = node.Properties.SingleOrDefault<TimingProperty>();
                _writer.WriteNumber(ReporterLine.Millis, timing?.GlobalTiming.Duration.TotalMilliseconds ?? 0);
                _writer.WriteString(ReporterLine.Error, error);
                if (node.Properties.SingleOrDefault<TestMethodIdentifierProperty>() is { } method)
                {
                    _writer.WriteStartObject(ReporterLine.Type);
                    _writer.WriteString(ReporterLine.Namespace, method.Namespace);
                    _writer.WriteString(ReporterLine.TypeName, method.TypeName);
                    _writer.WriteString(ReporterLine.MethodName, method.MethodName);
                    _writer.WriteEndObject();
                }
            }

            _writer.WriteEndObject();
            _writer.Flush();
            _line.Write("\n"u8);
            _file.Write(_line.WrittenSpan);
            _line.Clear();
            _writer.Reset();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writer.Dispose();
        _file.Dispose();
    }
}
