using System.Text.Json;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Running;

namespace BatchBuild.Core.Testing;

/// <summary>
/// Reads the lines BatchBuild's reporter writes in a test host of a Microsoft.Testing.Platform
/// app (see <see cref="ReporterLine"/>): a test's start and its result. Results come in as the
/// host reports them; a line cut short by a crash is left out, as are lines that are not the
/// reporter's.
/// </summary>
public sealed class ResultLines
{
    private readonly List<TestCaseResult> _results = [];
    private readonly Dictionary<string, double> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Display, JsonElement Type)> _described = new(StringComparer.Ordinal);
    private bool _undescribed;

    /// <summary>The results read so far, in the order reported.</summary>
    public IReadOnlyList<TestCaseResult> Results => _results;

    /// <summary>When the first test started or ended (in the caller's milliseconds), or null before any did.</summary>
    public double? FirstTestMillis { get; private set; }

    /// <summary>
    /// The tests that have started and not ended, by uid, with when they started (in the caller's
    /// milliseconds).
    /// </summary>
    public IReadOnlyDictionary<string, double> Started => _started;

    /// <summary>
    /// Reads one line, reported at <paramref name="nowMillis"/>; false when it is not a line of the
    /// reporter.
    /// </summary>
    public bool Read(string line, double nowMillis)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty(ReporterLine.Uid, out var uidValue) || uidValue.GetString() is not { } uid
                || !root.TryGetProperty(ReporterLine.State, out var stateValue)
                || stateValue.GetString() is not { } state)
            {
                return false;
            }

            FirstTestMillis ??= nowMillis;
            if (state == ReporterLine.Started)
            {
                _started.TryAdd(uid, nowMillis);
                return true;
            }

            var outcome = state switch
            {
                ReporterLine.Passed => TestRunOutcome.Passed,
                ReporterLine.Failed => TestRunOutcome.Failed,
                ReporterLine.Skipped => TestRunOutcome.Skipped,
                _ => (TestRunOutcome?)null,
            };
            if (outcome is not { } known)
            {
                return false;
            }

            _started.Remove(uid);
            var name = root.TryGetProperty(ReporterLine.Name, out var nameValue)
                && nameValue.ValueKind == JsonValueKind.String
                    ? nameValue.GetString()!
                    : uid;
            var millis = root.TryGetProperty(ReporterLine.Millis, out var msValue)
                && msValue.ValueKind == JsonValueKind.Number
                    ? msValue.GetDouble()
                    : 0;
            var error = root.TryGetProperty(ReporterLine.Error, out var errorValue)
                && errorValue.ValueKind == JsonValueKind.String
                    ? errorValue.GetString()
                    : null;
            _results.Add(new TestCaseResult(uid, name, known, millis, error));
            if (root.TryGetProperty(ReporterLine.Type, out var type) && type.ValueKind == JsonValueKind.Object)
            {
                _described.TryAdd(uid, (name, type.Clone()));
            }
            else
            {
                _undescribed = true;
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The tests the results name, of the app at <paramref name="source"/>, named as the app's listing
    /// names them (see <see cref="ListedTests.Describe"/>); null when a result did not say where its
    /// method is (a reporter older than that, or an app that does not name the method), so that only
    /// a listing can name the tests.
    /// </summary>
    public IReadOnlyList<DiscoveredTest>? Tests(string source) =>
        _undescribed
            ? null
            : [.. _described.Select(pair =>
                ListedTests.Describe(source, pair.Key, pair.Value.Display, pair.Value.Type))];

    /// <summary>The tests still running at <paramref name="nowMillis"/>, by uid, with how long they have run.</summary>
    public IReadOnlyDictionary<string, double> RunningAt(double nowMillis) =>
        _started.ToDictionary(pair => pair.Key, pair => nowMillis - pair.Value, StringComparer.Ordinal);
}
