namespace BatchBuild.Core.Testing;

/// <summary>
/// The command line of one run of a test app, and the text of the response file it names, or
/// null when the uids all fit on the command line.
/// </summary>
/// <param name="Arguments">The app's arguments for the run.</param>
/// <param name="ResponseFileText">The response file's text, or null when there is none.</param>
/// <param name="Unfiltered">
/// Whether the run names no uids because it runs every test the app listed: it is the app's run
/// as <c>dotnet test</c> asked for it.
/// </param>
public sealed record TestBatchArguments(
    IReadOnlyList<string> Arguments,
    string? ResponseFileText,
    bool Unfiltered = false);
