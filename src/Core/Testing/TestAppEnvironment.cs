namespace BatchBuild.Core.Testing;

/// <summary>The variables BatchBuild sets for the runs of a Microsoft.Testing.Platform test app.</summary>
public static class TestAppEnvironment
{
    /// <summary>
    /// The file BatchBuild's reporter in the app writes each start and result to (see
    /// <see cref="ReporterLine"/>).
    /// </summary>
    public const string ResultFileVariable = ReporterLine.FileVariable;

    /// <summary>
    /// The <c>dotnet test</c> execution the app's runs belong to: every run of one app must carry
    /// the same one, or <c>dotnet test</c> fails. The first run makes it when <c>dotnet test</c> has not.
    /// </summary>
    public const string ExecutionIdVariable = "TESTINGPLATFORM_DOTNETTEST_EXECUTIONID";
}
