using BatchBuild.Core;
using BatchBuild.Core.Batches;
using BatchBuild.Core.Discovery;
using BatchBuild.Core.Durations;
using BatchBuild.Core.Store;
using BatchBuild.Core.Testing;
using BatchBuild.Runner;
using BatchBuild.Store;
using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;

namespace BatchBuild.Targets.Tests;

/// <summary>
/// The package's real <c>build/*.props</c> and <c>*.targets</c>, imported where NuGet imports them
/// into an SDK project in a temporary folder, evaluated and built in process by MSBuild.
/// </summary>
public sealed class TargetsTests
{
    private string _folder = string.Empty;

    private static string Root => Repository.Root;

    private static string TasksDirectory =>
        Path.Combine(
            Root,
            "src",
            "Tasks",
            "bin",
            Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!,
            "net10.0")
        + Path.DirectorySeparatorChar;

    [SetUp]
    public void CreateProject() => _folder = Directory.CreateTempSubdirectory("batchbuild-targets-").FullName;

    [TearDown]
    public void DeleteProject() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_test_project_gets_the_batched_VSTest_target()
    {
        var project = Evaluate(isTestProject: true);

        Assert.That(project.GetPropertyValue("VSTestTargets"), Does.EndWith("BatchBuild.VSTest.targets"));
        Assert.That(project.Targets["VSTest"].FullPath, Does.EndWith("BatchBuild.Batched.targets"));
        Assert.That(project.Targets, Does.ContainKey("BatchBuildCloseBatch"));
    }

    [Test]
    public void Other_projects_and_disabled_batching_keep_the_SDK_VSTest_target()
    {
        var library = Evaluate(isTestProject: false);
        var disabled = Evaluate(isTestProject: true, ("BatchBuildEnabled", "false"));

        Assert.That(library.Targets["VSTest"].FullPath, Does.EndWith("Microsoft.TestPlatform.targets"));
        Assert.That(disabled.Targets["VSTest"].FullPath, Does.EndWith("Microsoft.TestPlatform.targets"));
        Assert.That(
            disabled.GetPropertyValue("VSTestTestAdapterPath"),
            Does.Contain(TasksDirectory.TrimEnd(Path.DirectorySeparatorChar)),
            "the collector stays reachable");
    }

    [Test]
    public void The_close_target_closes_a_batch_in_the_store_and_writes_the_summary()
    {
        // Synchronous on purpose: an async method's state machine would hold an MSBuild enum,
        // which the test framework cannot load before MSBuild is located.
        var store = Path.Combine(_folder, "store", "batchbuild.db");
        using (var seed = SqliteBatchStore.Open(store))
        {
            var passed = new TestResultRecord(
                BatchId.Parse("nightly-9"),
                1,
                new TestKey("Tests", "A.One"),
                "One",
                TestRunOutcome.Passed,
                5,
                DateTimeOffset.UtcNow,
                "agent",
                "attempt-1");
            seed.RecordResultsAsync([passed]).GetAwaiter().GetResult();
        }

        var (result, log) = Build(
            "BatchBuildCloseBatch",
            ("BatchBuildBatchId", "nightly-9"),
            ("BatchBuildStore", store),
            ("BatchBuildSummaryPath", "out/summary.json"));

        Assert.That(result, Is.EqualTo(BuildResultCode.Success), log);
        Assert.That(log, Does.Contain("BatchBuild batch nightly-9 closed (explicit): 1 passed"));
        var summary = BatchCompletion.FromJson(File.ReadAllText(Path.Combine(_folder, "out", "summary.json")));
        Assert.That(summary.BatchId, Is.EqualTo("nightly-9"));
        using var reopened = SqliteBatchStore.Open(store);
        Assert.That(
            reopened.GetBatchAsync(BatchId.Parse("nightly-9")).GetAwaiter().GetResult()!.State,
            Is.EqualTo(BatchState.Closed));
    }

    [Test]
    public void A_failed_close_warns_and_fails_only_when_asked()
    {
        var store = Path.Combine(_folder, "batchbuild.db");

        var (lenient, warned) = Build(
            "BatchBuildCloseBatch",
            ("BatchBuildCloseBatchIds", "a-1;a-2"),
            ("BatchBuildStore", store));
        var (strict, failed) = Build(
            "BatchBuildCloseBatch",
            ("BatchBuildCloseBatchIds", "a-1"),
            ("BatchBuildStore", store),
            ("BatchBuildCloseFailOnError", "true"));

        Assert.That(lenient, Is.EqualTo(BuildResultCode.Success), warned);
        Assert.That(warned, Does.Contain("warning BB4001: no batch a-1").And.Contain("warning BB4001: no batch a-2"));
        Assert.That(strict, Is.EqualTo(BuildResultCode.Failure));
        Assert.That(failed, Does.Contain("error BB4001: no batch a-1").And.Not.Contain("warning BB4001"));
    }

    [Test]
    public void Bad_settings_stop_the_close_with_their_codes()
    {
        var (result, log) = Build(
            "BatchBuildCloseBatch",
            ("BatchBuildWebhookUrl", "ftp://nowhere"),
            ("BatchBuildIdleTimeout", "soon"),
            ("BatchBuildBatchId", "x"));

        Assert.That(result, Is.EqualTo(BuildResultCode.Failure));
        Assert.That(
            log,
            Does.Contain("error BB1011: MSBuild property BatchBuildWebhookUrl: 'ftp://nowhere' is not allowed"));
        Assert.That(log, Does.Contain("error BB1010: MSBuild property BatchBuildIdleTimeout: 'soon' is not allowed"));
    }

    [Test]
    public void A_testing_platform_app_is_run_through_the_launcher_with_its_properties_beside_it()
    {
        var project = Evaluate(
            isTestProject: true,
            ("IsTestingPlatformApplication", "true"),
            ("OutputType", "Exe"),
            ("BatchBuildStrategy", "class-name"));
        var app = project.GetPropertyValue("TargetPath");
        Directory.CreateDirectory(Path.GetDirectoryName(app)!);
        File.WriteAllText(app, string.Empty);
        var instance = project.CreateProjectInstance();
        var appCommand = instance.GetPropertyValue("RunCommand");

        Assert.That(instance.Build(["ComputeRunArguments"], []), Is.True);

        var arguments = instance.GetPropertyValue("RunArguments");
        Assert.That(
            arguments,
            Does.StartWith($"exec \"{TasksDirectory}BatchBuild.Mtp.dll\" \"")
                .And.EndWith($".launch.json\" -- \"{appCommand}\""));
        Assert.That(Path.GetFileNameWithoutExtension(instance.GetPropertyValue("RunCommand")), Is.EqualTo("dotnet"));
        var launchFile = arguments.Split('"')[3];
        var launch = TestAppLaunch.FromJson(File.ReadAllText(launchFile));
        var invocation = InvocationFolder.Open(launch.Invocation!);
        Assert.That(invocation, Is.Not.Null, "the invocation's folder is made");
        Assert.That(
            launchFile,
            Is.EqualTo(InvocationFolder.LaunchFile(invocation, launch.Token)),
            "in the invocation's folder");
        Assert.That(
            (launch.Project, launch.TestApp, launch.Properties["BatchBuildStrategy"]),
            Is.EqualTo(("Tests", app, "class-name")));
        Assert.That(
            invocation!.Has(launch.Token, ProjectMark.Expected),
            Is.True,
            "the project is entered in the invocation's folder");
    }

    [Test]
    public void A_testing_platform_app_gets_the_reporter_and_its_builder_hook()
    {
        var instance = Evaluate(isTestProject: true, ("IsTestingPlatformApplication", "true")).CreateProjectInstance();

        Assert.That(instance.Build(["_BatchBuildTestingReporter"], []), Is.True);

        Assert.That(
            instance.GetItems("Reference")
                .Single(item => item.EvaluatedInclude == "BatchBuild.Testing")
                .GetMetadataValue("HintPath"),
            Is.EqualTo($"{TasksDirectory}BatchBuild.Testing.dll"));
        Assert.That(
            instance.GetItems("TestingPlatformBuilderHook").Select(item => item.GetMetadataValue("TypeFullName")),
            Does.Contain("BatchBuild.Testing.TestingPlatformBuilderHook"));
        var vstest = Evaluate(isTestProject: true).CreateProjectInstance();
        Assert.That(vstest.Build(["_BatchBuildTestingReporter"], []), Is.True);
        Assert.That(
            vstest.GetItems("Reference").Select(item => item.EvaluatedInclude),
            Does.Not.Contain("BatchBuild.Testing"),
            "a VSTest project does not get it");
    }

    [TestCase("1.9.1", false)]
    [TestCase("2.2.2", false)]
    [TestCase("2.3.2", true)]
    [TestCase("2.5.3-preview.1", true)]
    public void The_reporter_goes_only_into_apps_on_a_platform_that_can_load_it(string platform, bool fits)
    {
        var instance = Evaluate(isTestProject: true, ("IsTestingPlatformApplication", "true")).CreateProjectInstance();
        instance.AddItem(
            "RuntimeCopyLocalItems",
            "/packages/microsoft.testing.platform/lib/net8.0/Microsoft.Testing.Platform.dll",
            [new("NuGetPackageId", "Microsoft.Testing.Platform"), new("NuGetPackageVersion", platform)]);
        var log = new System.Text.StringBuilder();
        var logger = new Microsoft.Build.Logging.ConsoleLogger(
            LoggerVerbosity.Minimal,
            text => log.Append(text),
            null,
            null);

        Assert.That(instance.Build(["_BatchBuildTestingReporter"], [logger]), Is.True);

        Assert.That(
            instance.GetItems("Reference").Any(item => item.EvaluatedInclude == "BatchBuild.Testing"),
            Is.EqualTo(fits));
        Assert.That(instance.GetItems("TestingPlatformBuilderHook").Count != 0, Is.EqualTo(fits));
        var tooOld = $"warning {DiagnosticCodes.TestingPlatformTooOld}: "
            + $"Tests uses Microsoft.Testing.Platform {platform}; BatchBuild needs 2.3 or later";
        Assert.That(
            log.ToString(),
            fits ? Does.Not.Contain(DiagnosticCodes.TestingPlatformTooOld) : Does.Contain(tooOld));
    }

    private Project Evaluate(bool isTestProject, params (string Name, string Value)[] properties)
    {
        var path = WriteProject(isTestProject);
        using var collection = new ProjectCollection(properties.ToDictionary(p => p.Name, p => p.Value));
        return collection.LoadProject(path);
    }

    // The build's log as the console logger writes it. (No type here implements an MSBuild
    // interface: the test framework loads every type before MSBuild is located.)
    private (BuildResultCode Result, string Log) Build(string target, params (string Name, string Value)[] properties)
    {
        var path = WriteProject(isTestProject: false);
        var log = new System.Text.StringBuilder();
        var logger = new Microsoft.Build.Logging.ConsoleLogger(
            LoggerVerbosity.Normal,
            text => log.Append(text),
            null,
            null);
        var parameters = new BuildParameters { Loggers = [logger], EnableNodeReuse = false };
        var request = new BuildRequestData(
            path,
            properties.ToDictionary(p => p.Name, p => (string?)p.Value),
            null,
            [target],
            null);
        var result = BuildManager.DefaultBuildManager.Build(parameters, request);
        return (result.OverallResult, log.ToString());
    }

    // As NuGet does: the package's props early (here through Directory.Build.props), its targets late.
    private string WriteProject(bool isTestProject)
    {
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup><BatchBuildTasksDirectory>{TasksDirectory}</BatchBuildTasksDirectory></PropertyGroup>
              <Import Project="{Path.Combine(Root, "build", "BatchBuild.props")}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.targets"), $"""
            <Project>
              <Import Project="{Path.Combine(Root, "build", "BatchBuild.targets")}" />
            </Project>
            """);
        var path = Path.Combine(_folder, "Tests.csproj");
        File.WriteAllText(path, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <IsTestProject>{isTestProject.ToString().ToLowerInvariant()}</IsTestProject>
              </PropertyGroup>
            </Project>
            """);
        return path;
    }
}
