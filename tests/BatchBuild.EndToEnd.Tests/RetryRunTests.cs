namespace BatchBuild.EndToEnd.Tests;

/// <summary>
/// Real <c>dotnet test</c> runs of the Retries fixture (samples/Retries): in NUnit, MSTest and
/// xUnit, a test that kills its test host, one that hangs, one that fails on its first run only
/// and one that always fails, each on request. Every run of a test records itself, so attempts
/// are counted, not inferred from the log.
/// </summary>
public sealed class RetryRunTests
{
    private const string Solution = "Retries/Retries.slnx";
    private const string NUnit = "Retries/Retries.NUnit/Retries.NUnit.csproj";
    private static readonly string[] Frameworks = ["nunit", "mstest", "xunit"];

    [OneTimeSetUp]
    public void Build()
    {
        var build = Dotnet.Run(LocalPackage.Samples, SampleRun.PackageEnvironment, "build", Solution, "-v:quiet");
        Assert.That(build.ExitCode, Is.Zero, build.ToString());
    }

    [Test]
    public void A_crashing_test_is_named_on_each_attempt_and_the_rest_of_its_test_batch_runs_once_in_a_fresh_host()
    {
        var run = SampleRun.Start(
            Solution,
            ["-p:BatchBuildStrategy=fixed-size", "-p:BatchBuildSize=6", "--filter", "FullyQualifiedName~Retries.Crash"],
            new Dictionary<string, string> { ["RETRIES_CRASH"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero, run.Command.ToString());
        var stored = run.StoredResults();
        Assert.That(
            run.Command.Output,
            Does.Contain("warning BB3003: Retries.Crash.A_crashes_when_asked reported no result in test batch 1 (the "
                + "test host crashed"),
            "first attempt: six tests without a result");
        Assert.That(
            run.Command.Output,
            Does.Contain("error BB3010: Retries.Crash.A_crashes_when_asked crashed its test host in test batch"),
            "second attempt, alone: named");
        Assert.That(
            run.Command.Output,
            Does.Contain("[1/1] Retries.MSTest: the test host crashed while Retries.Crash.A_crashes_when_asked ran, "
                + "as far as the test framework reported"),
            "MSTest reports a start before it runs the test, so the first attempt names it too");
        Assert.That(
            run.Command.Output,
            Does.Not.Contain("error BB3003").And.Not.Contain("   at BatchBuild"),
            "every test that never ran ran again; no stack trace");
        foreach (var framework in Frameworks)
        {
            var crasher = run.Records.Where(r => r.Test == $"{framework} A_crashes_when_asked").ToList();
            Assert.That(crasher, Has.Count.EqualTo(2), $"{framework}: 1 + UncompletedTestRetryQuota attempts");
            foreach (var test in new[] { "B_passes", "C_passes", "D_passes", "E_passes", "F_passes" })
            {
                // xUnit orders a class's tests by a hash: the ones it ran before the crasher lost
                // their results with the host, so they ran again; NUnit and MSTest run the crasher first.
                var runs = run.Records.Count(r => r.Test == $"{framework} {test}");
                Assert.That(
                    runs,
                    framework == "xunit" ? Is.InRange(1, 2) : Is.EqualTo(1),
                    $"{framework} {test} runs exactly once in a fresh host");
                Assert.That(
                    stored
                        .Where(r => r.FullName == $"Retries.Crash.{test}"
                            && r.Assembly == $"Retries.{Project(framework)}")
                        .Select(r => r.Outcome),
                    Is.EqualTo(["Passed"]));
            }

            Assert.That(
                run.Command.Output,
                Does.Match($@"BatchBuild Retries\.{Project(framework)}: "
                    + @"5 passed, 1 failed, 0 skipped, 0 not run, 0 flaky, \d run again"));
        }

        // NUnit and MSTest run the crasher first: the other five all ran after it, in fresh hosts.
        foreach (var framework in new[] { "nunit", "mstest" })
        {
            var crashed = run.Records.First(r => r.Test == $"{framework} A_crashes_when_asked").ProcessId;
            var others = run.Records
                .Where(r => r.Test.StartsWith(framework + " ", StringComparison.Ordinal)
                    && r.Test.EndsWith("_passes", StringComparison.Ordinal))
                .ToList();
            Assert.That(
                others.Select(r => r.ProcessId),
                Has.None.EqualTo(crashed),
                $"{framework}: the five ran in fresh hosts");
        }

        Assert.That(
            stored.Where(r => r.FullName == "Retries.Crash.A_crashes_when_asked").Select(r => r.Outcome),
            Is.EqualTo(Enumerable.Repeat("Failed", 3)),
            "the attempt that crashed its host alone is recorded as failed; the first reported nothing");
    }

    [Test]
    public void A_hanging_test_is_killed_at_the_output_time_limit_and_the_tests_after_it_still_run()
    {
        var run = SampleRun.Start(
            Solution,
            [
                "-p:BatchBuildStrategy=fixed-size",
                "-p:BatchBuildSize=3",
                "-p:BatchBuildTestOutputTimeoutMillis=5000",
                "--filter",
                "FullyQualifiedName~Retries.Hang"],
            new Dictionary<string, string> { ["RETRIES_HANG"] = "1" });

        // Decided by what BatchBuild did (the limit fired, the test ran again, each attempt
        // recorded), not by how fast the machine was: a test host slow to start on a busy machine
        // is not killed for the silence of its start.
        Assert.That(run.Command.ExitCode, Is.Not.Zero, run.Command.ToString());
        Assert.That(
            run.Command.Output,
            Does.Contain("warning BB3011: Retries.Hang.A_hangs_when_asked timed out in test batch 1 (no test result "
                + "for longer than TestOutputTimeoutMillis; its test host was killed); it runs again in test batch"));
        Assert.That(
            run.Command.Output,
            Does.Contain("error BB3011: Retries.Hang.A_hangs_when_asked timed out in test batch"));
        var stored = run.StoredResults();
        foreach (var framework in Frameworks)
        {
            var attempts = stored.Count(r => r.FullName == "Retries.Hang.A_hangs_when_asked"
                && r.Assembly == $"Retries.{Project(framework)}");
            Assert.That(
                attempts,
                Is.EqualTo(2),
                $"{framework}: the hanging test timed out, ran again and timed out again");
            Assert.That(
                run.Records.Count(r => r.Test == $"{framework} A_hangs_when_asked"),
                Is.EqualTo(attempts),
                $"{framework}: each attempt BatchBuild failed for the limit had started the test");
            Assert.That(
                run.Records.Count(r => r.Test == $"{framework} hang B_passes"),
                Is.EqualTo(1),
                run.Command.ToString());
            Assert.That(
                run.Records.Count(r => r.Test == $"{framework} hang C_passes"),
                Is.EqualTo(1),
                run.Command.ToString());
            Assert.That(
                run.Command.Output,
                Does.Contain($"BatchBuild Retries.{Project(framework)}: 2 passed, 1 failed, 0 skipped, 0 not run"));
        }

        var timedOut = stored.Where(r => r.FullName == "Retries.Hang.A_hangs_when_asked").ToList();
        Assert.That(timedOut, Has.Count.EqualTo(6));
        Assert.That(
            timedOut.Select(r => (r.Outcome, Within: r.DurationMillis is >= 5_000 and < 10_000)),
            Is.All.EqualTo(("Failed", true)),
            "reported as failed, at the limit plus a few seconds: " + string.Join(
                ", ",
                timedOut.Select(r => r.DurationMillis)));
    }

    [Test]
    public void With_blame_hang_the_hang_dump_is_taken_at_the_output_time_limit_and_the_test_is_reported_timed_out()
    {
        var run = SampleRun.Start(
            NUnit,
            [
                "-p:BatchBuildStrategy=fixed-size",
                "-p:BatchBuildSize=3",
                "-p:BatchBuildTestOutputTimeoutMillis=5000",
                "-p:BatchBuildUncompletedTestRetryQuota=0",
                "--blame-hang",
                "--filter",
                "FullyQualifiedName~Retries.Hang"],
            new Dictionary<string, string> { ["RETRIES_HANG"] = "1" });

        Assert.That(run.Command.ExitCode, Is.Not.Zero, run.Command.ToString());
        Assert.That(
            run.Command.Output,
            Does.Contain("error BB3011: Retries.Hang.A_hangs_when_asked timed out in test batch 1"),
            "vstest's blame collector killed the host at the limit");
        Assert.That(run.Command.Output, Does.Match(@"Attachments:\s+\S+_hangdump\.dmp"), "with its hang dump");
        var timedOut = run.StoredResults().Single(r => r.FullName == "Retries.Hang.A_hangs_when_asked");
        Assert.That(
            timedOut.DurationMillis,
            Is.InRange(5_000, 60_000),
            "killed at the limit by the blame collector, not a minute later by BatchBuild");
    }

    [Test]
    public void A_test_that_fails_once_passes_on_a_retry_and_counts_as_flaky()
    {
        var run = SampleRun.Start(
            Solution,
            ["-p:BatchBuildRetryStrategy=fixed-quota", "--filter", "FullyQualifiedName~Retries.Flaky.Fails_once"],
            new Dictionary<string, string> { ["RETRIES_FLAKY_MARKER"] = Marker() });

        Assert.That(run.Command.ExitCode, Is.Zero, run.Command.ToString());
        Assert.That(
            run.Command.Output,
            Does.Contain("warning BB3002: Retries.Flaky.Fails_once_when_asked failed in test batch 1; it runs again "
                + "in test batch 2"));
        foreach (var framework in Frameworks)
        {
            Assert.That(
                run.Command.Output,
                Does.Contain($"[2/1] Retries.{Project(framework)} retry 1 of Retries.Flaky.Fails_once_when_asked "
                    + $"(failed in test batch 1)"));
            Assert.That(
                run.Command.Output,
                Does.Contain($"BatchBuild Retries.{Project(framework)}: 1 passed, 0 failed, 0 skipped, 0 not run, 1 "
                    + $"flaky, 1 run again"));
            Assert.That(run.Records.Count(r => r.Test == $"{framework} Fails_once_when_asked"), Is.EqualTo(2));
        }

        Assert.That(
            run.StoredResults().Select(r => r.Outcome).Order(),
            Is.EqualTo(["Failed", "Failed", "Failed", "Passed", "Passed", "Passed"]),
            "both attempts of each are recorded");
    }

    [Test]
    public void Without_retries_a_test_that_fails_once_fails_the_run()
    {
        var run = SampleRun.Start(
            Solution,
            ["--filter", "FullyQualifiedName~Retries.Flaky.Fails_once"],
            new Dictionary<string, string> { ["RETRIES_FLAKY_MARKER"] = Marker() });

        Assert.That(run.Command.ExitCode, Is.Not.Zero, run.Command.ToString());
        Assert.That(
            run.Command.Output,
            Does.Contain("error BB3002: Retries.Flaky.Fails_once_when_asked failed in test batch 1"));
        Assert.That(run.Records, Has.Count.EqualTo(3), "one run each");
    }

    [Test]
    public void Retry_quotas_hold_exactly()
    {
        var perTest = SampleRun.Start(
            Solution,
            [
                "-p:BatchBuildRetryStrategy=fixed-quota",
                "-p:BatchBuildRetryPerTestQuota=2",
                "--filter",
                "FullyQualifiedName~Retries.Flaky.Fails_when"],
            new Dictionary<string, string> { ["RETRIES_FAIL"] = "1" });
        var wholeRun = SampleRun.Start(
            NUnit,
            [
                "-p:BatchBuildRetryStrategy=fixed-quota",
                "-p:BatchBuildTotalAllowedRetryQuota=1",
                "--filter",
                "FullyQualifiedName~Retries.Flaky"],
            new Dictionary<string, string> { ["RETRIES_FAIL"] = "1", ["RETRIES_FLAKY_MARKER"] = Marker() });

        Assert.That(perTest.Command.ExitCode, Is.Not.Zero, perTest.Command.ToString());
        foreach (var framework in Frameworks)
        {
            Assert.That(
                perTest.Records.Count(r => r.Test == $"{framework} Fails_when_asked"),
                Is.EqualTo(3),
                $"{framework}: 1 + RetryPerTestQuota attempts");
        }

        Assert.That(wholeRun.Command.ExitCode, Is.Not.Zero, wholeRun.Command.ToString());
        Assert.That(wholeRun.Records, Has.Count.EqualTo(3), "two failing tests, one retry in the whole run");
        Assert.That(wholeRun.Command.Output, Does.Contain("1 run again"));
    }

    [Test]
    public void The_probability_strategy_runs_a_test_that_passed_half_its_runs_three_times_in_three_test_batches()
    {
        // History: the flaky test failed once and passed once.
        var store = Path.Combine(LocalPackage.Scratch, "stores", $"coin-{Guid.NewGuid():N}", "batchbuild.db");
        var marker = Marker();
        string[] flaky = ["--filter", "FullyQualifiedName~Retries.Flaky.Fails_once"];
        var failed = SampleRun.Start(
            NUnit,
            flaky,
            new Dictionary<string, string> { ["RETRIES_FLAKY_MARKER"] = marker },
            store);
        var passed = SampleRun.Start(
            NUnit,
            flaky,
            new Dictionary<string, string> { ["RETRIES_FLAKY_MARKER"] = marker },
            store);
        Assert.That(failed.Command.ExitCode, Is.Not.Zero, failed.Command.ToString());
        Assert.That(passed.Command.ExitCode, Is.Zero, passed.Command.ToString());

        var probability = SampleRun.Start(
            NUnit,
            ["-p:BatchBuildFlakinessStrategy=probability", .. flaky],
            store: store);
        // History now: 4 of 5 runs passed, which 0.95 finds too few: 1 - 0.2^2 = 0.96, so it runs twice.
        var allSuccess = SampleRun.Start(
            NUnit,
            [
                "-p:BatchBuildFlakinessStrategy=probability",
                "-p:BatchBuildMinSuccessRate=0.95",
                "-p:BatchBuildExecutionMode=all-success",
                .. flaky],
            new Dictionary<string, string> { ["RETRIES_FLAKY_MARKER"] = Marker() },
            store);
        var fast = SampleRun.Start(
            NUnit,
            [
                "-p:BatchBuildFlakinessStrategy=probability",
                "-p:BatchBuildExecutionFast=true",
                "-p:BatchBuildWorkers=1",
                .. flaky],
            store: store);

        Assert.That(probability.Command.ExitCode, Is.Zero, probability.Command.ToString());
        Assert.That(
            probability.Command.Output,
            Does.Contain("BatchBuild Retries.NUnit: 1 tests in 3 test batches (isolate; 2 more runs of flaky tests)"));
        Assert.That(probability.Records, Has.Count.EqualTo(3));
        Assert.That(
            probability.Records.Select(r => (r.TestBatch, r.ProcessId)).Distinct().Count(),
            Is.EqualTo(3),
            "three test batches, three hosts");

        Assert.That(
            allSuccess.Command.ExitCode,
            Is.Not.Zero,
            "all-success: the one failed run fails the test " + allSuccess.Command);
        Assert.That(allSuccess.Records, Has.Count.EqualTo(2), allSuccess.Command.ToString());
        Assert.That(allSuccess.Command.Output, Does.Contain("BatchBuild Retries.NUnit: 0 passed, 1 failed"));

        Assert.That(fast.Command.ExitCode, Is.Zero, fast.Command.ToString());
        Assert.That(fast.Records, Has.Count.EqualTo(1), "fast: once it passed, its pending runs are dropped");
    }

    private static string Project(string framework) => framework switch
    {
        "nunit" => "NUnit",
        "mstest" => "MSTest",
        _ => "XUnit",
    };

    private static string Marker() => Path.Combine(LocalPackage.Scratch, $"flaky-{Guid.NewGuid():N}");
}
