namespace BatchBuild.Core.Testing;

/// <summary>
/// The protocol between BatchBuild and its reporter in a Microsoft.Testing.Platform test host: the
/// variable that names the reporter's file, and the JSON line it appends for each test's start,
/// <c>{"uid":"…","state":"started"}</c>, and result,
/// <c>{"uid":"…","state":"passed","name":"…","ms":12.5,"error":null}</c>. This one file is
/// compiled into both sides: BatchBuild.Core, which reads the lines (<c>ResultLines</c>),
/// and BatchBuild.Testing, the reporter that writes them.
/// </summary>
internal static class ReporterLine
{
    /// <summary>The variable that names the file; BatchBuild sets it for each test host it starts.</summary>
    public const string FileVariable = "BATCHBUILD_MTP_RESULT_FILE";

    /// <summary>The test's uid, as the platform names it and <c>--filter-uid</c> selects it.</summary>
    public const string Uid = "uid";

    /// <summary>One of the states below.</summary>
    public const string State = "state";

    /// <summary>The test's display name, on a result.</summary>
    public const string Name = "name";

    /// <summary>The test's duration in milliseconds, on a result.</summary>
    public const string Millis = "ms";

    /// <summary>The failure's or skip's message, or null, on a result.</summary>
    public const string Error = "error";

    /// <summary>
    /// Where the test's method is, as the app's listing gives it: an object of <see cref="Namespace"/>,
    /// <see cref="TypeName"/> and <see cref="MethodName"/>, on a result's line when the app names the
    /// method (a reporter older than this field never writes it).
    /// </summary>
    public const string Type = "type";

    /// <summary>The namespace of the test's type, in <see cref="Type"/>.</summary>
    public const string Namespace = "namespace";

    /// <summary>The test's type, in <see cref="Type"/>.</summary>
    public const string TypeName = "typeName";

    /// <summary>The test's method, in <see cref="Type"/>.</summary>
    public const string MethodName = "methodName";

    /// <summary>The state of a test that has started.</summary>
    public const string Started = "started";

    /// <summary>The state of a test that passed.</summary>
    public const string Passed = "passed";

    /// <summary>The state of a test that failed, errored, timed out or was cancelled.</summary>
    public const string Failed = "failed";

    /// <summary>The state of a test that was skipped.</summary>
    public const string Skipped = "skipped";
}
