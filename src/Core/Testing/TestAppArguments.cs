using System.Text;

namespace BatchBuild.Core.Testing;

/// <summary>
/// The command lines BatchBuild gives a Microsoft.Testing.Platform test app, made from the one
/// <c>dotnet test</c> gave it: the same options, with the test list asked for at discovery, and a
/// test batch's uids at each run. Every run keeps the <c>dotnet test</c> connection options, so
/// that it reports to <c>dotnet test</c> itself; discovery drops them, and its output comes back
/// to BatchBuild.
/// </summary>
public static class TestAppArguments
{
    /// <summary>The option that connects a test app to <c>dotnet test</c>, and the one that names the pipe.</summary>
    private static readonly string[] ConnectionOptions = ["--server", "--dotnet-test-pipe"];

    /// <summary>
    /// Options for which the app does something else than run tests: BatchBuild leaves the app
    /// to them. <c>--list-tests</c> lists, <c>--help</c> and <c>--info</c> describe the app.
    /// </summary>
    private static readonly string[] OtherCommands = ["--list-tests", "--help", "-h", "-?", "--info"];

    /// <summary>
    /// Whether <paramref name="arguments"/> run tests for <c>dotnet test</c> (the app is connected to
    /// it with <c>--server dotnettestcli</c>) and nothing else: only then does BatchBuild batch the run.
    /// </summary>
    public static bool RunsTestsForDotnetTest(IReadOnlyList<string> arguments) =>
        Index(arguments, "--server") is { } server
        && server + 1 < arguments.Count
        && arguments[server + 1] == "dotnettestcli"
        && !arguments.Any(argument => OtherCommands.Contains(Option(argument), StringComparer.Ordinal));

    /// <summary>
    /// The arguments that list the tests (with the user's filters) as JSON, without the connection
    /// to <c>dotnet test</c>.
    /// </summary>
    public static IReadOnlyList<string> ForDiscovery(IReadOnlyList<string> arguments) =>
    [
        .. Without(arguments, option => ConnectionOptions.Contains(option, StringComparer.Ordinal)),
        "--list-tests",
        "json",
    ];

    /// <summary>
    /// How many characters of uids go on a command line before the rest go into a response file:
    /// well under Windows' 32,767-character command line and Linux's 2 MB of arguments and
    /// environment together, so that a test batch of any size starts.
    /// </summary>
    public const int CommandLineUidLimit = 16_000;

    /// <summary>
    /// The arguments that run exactly <paramref name="uids"/>: the user's filters are dropped
    /// (discovery applied them) and <c>--filter-uid</c> names the tests, each uid an argument of its
    /// own. When the uids are longer together than <paramref name="commandLineLimit"/>, those a
    /// response file can hold go into one at <paramref name="responseFile"/> (the caller writes
    /// <see cref="TestBatchArguments.ResponseFileText"/> there), named by an <c>@</c> argument.
    /// When the uids are every test of <paramref name="listed"/>, the app's listing with the user's
    /// filters, the run is the app's own run as <c>dotnet test</c> asked for it, filters and all,
    /// without <c>--filter-uid</c>: it runs the same tests, and neither the command line nor the
    /// test framework handles tens of thousands of uids (see <see cref="TestBatchArguments.Unfiltered"/>).
    /// </summary>
    public static TestBatchArguments ForTestBatch(
        IReadOnlyList<string> arguments,
        IReadOnlyList<string> uids,
        string responseFile,
        int commandLineLimit = CommandLineUidLimit,
        IReadOnlySet<string>? listed = null)
    {
        if (listed is not null && HoldsEvery(listed, uids))
        {
            return new([.. arguments], null, Unfiltered: true);
        }

        IReadOnlyList<string> kept = [.. Without(arguments, IsFilter), "--filter-uid"];
        if (uids.Sum(uid => uid.Length + 1) <= commandLineLimit)
        {
            return new([.. kept, .. uids], null);
        }

        var inFile = uids.Where(FitsResponseFile).ToList();
        var text = new StringBuilder();
        foreach (var uid in inFile)
        {
            text.Append('"').Append(uid).Append('"').Append('\n');
        }

        return new([.. kept, $"@{responseFile}", .. uids.Where(uid => !FitsResponseFile(uid))], text.ToString());
    }

    // Whether uids name every test of listed once, and nothing else: a test batch of a whole
    // listing. A uid named twice (a further run of a flaky test) keeps the batch filtered, as it
    // was planned.
    private static bool HoldsEvery(IReadOnlySet<string> listed, IReadOnlyList<string> uids)
    {
        if (uids.Count != listed.Count)
        {
            return false;
        }

        var named = new HashSet<string>(uids, StringComparer.Ordinal);
        return named.Count == listed.Count && named.SetEquals(listed);
    }

    // The platform reads a response file a line at a time, trims it, splits it at white space
    // outside quotes and drops every quote: a uid goes there quoted, whole, unless it holds a
    // quote or a line break. Such uids stay on the command line.
    private static bool FitsResponseFile(string uid) => uid.IndexOfAny(['"', '\r', '\n']) < 0;

    /// <summary>The folder given with <c>--results-directory</c>, or null.</summary>
    public static string? ResultsDirectory(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (IsOption(argument) && Option(argument) == "--results-directory")
            {
                return argument.Length > "--results-directory".Length
                    ? argument["--results-directory".Length..].TrimStart('=', ':')
                    : i + 1 < arguments.Count ? arguments[i + 1]
                    : null;
            }
        }

        return null;
    }

    // A filter of the platform or of a test framework: --filter, --filter-uid, --filter-class,
    // --treenode-filter and the like.
    private static bool IsFilter(string option) =>
        option.StartsWith("--filter", StringComparison.Ordinal) || option == "--treenode-filter";

    // The arguments without the options that match, and their values: the arguments up to the next option.
    private static IEnumerable<string> Without(IReadOnlyList<string> arguments, Func<string, bool> drop)
    {
        var dropping = false;
        foreach (var argument in arguments)
        {
            if (IsOption(argument))
            {
                dropping = drop(Option(argument));
            }

            if (!dropping)
            {
                yield return argument;
            }
        }
    }

    private static int? Index(IReadOnlyList<string> arguments, string option)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (IsOption(arguments[i]) && Option(arguments[i]) == option)
            {
                return i;
            }
        }

        return null;
    }

    private static bool IsOption(string argument) => argument.StartsWith('-') && argument.Length > 1;

    // An option's name without an inline value (--option=value, --option:value).
    private static string Option(string argument) =>
        argument.IndexOfAny(['=', ':']) is var at and > 0 ? argument[..at] : argument;
}
