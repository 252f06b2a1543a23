using BatchBuild.Core.Testing;
using Microsoft.Testing.Platform.Builder;

namespace BatchBuild.Testing;

/// <summary>
/// The entry point the test app's generated <c>Main</c> calls (the BatchBuild package adds a
/// <c>TestingPlatformBuilderHook</c> item for it): in a test host that BatchBuild started, it
/// adds the reporter that writes each test's start and result for BatchBuild; otherwise nothing.
/// </summary>
public static class TestingPlatformBuilderHook
{
    /// <summary>Adds BatchBuild's reporter when <see cref="ReporterLine.FileVariable"/> names a file.</summary>
    /// <param name="testApplicationBuilder">The test app's builder.</param>
    /// <param name="_">The app's arguments.</param>
    public static void AddExtensions(ITestApplicationBuilder testApplicationBuilder, string[] _)
    {
        if (Environment.GetEnvironmentVariable(ReporterLine.FileVariable) is { Length: > 0 } path)
        {
            testApplicationBuilder.TestHost.AddDataConsumer(_ => new ResultReporter(path));
        }
    }
}
