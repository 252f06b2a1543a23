using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Tests;

public class BatchIdTests
{
    // What visual-testing users name their batches, and the characters URLs and file names trip on.
    public static readonly string[] FreeTextIds =
    [
        "9f1c2a4e-0d4b-4c1e-8e55-3d2a1b0c9f88",
        "release_7.1~rc:2@eu+x=y",
        "Nightly build 42",
        "feature/login#3",
        "100% done",
        "what?",
        "a+b",
        "résumé",
        "日本",
        "..a",
        new string('é', BatchId.MaxLength),
        string.Concat(Enumerable.Repeat("日本", BatchId.MaxLength / 2)),
    ];

    [TestCaseSource(nameof(FreeTextIds))]
    public void Free_text_ids_are_valid_and_kept_exactly(string text)
    {
        Assert.That(BatchId.TryCreate(text, out var id, out var problem), Is.True, problem);
        Assert.That(id.Value, Is.EqualTo(text));
    }

    [TestCase("", "it is empty")]
    [TestCase(null, "it is empty")]
    [TestCase("   ", "it is only white space")]
    [TestCase("a\nb", "it contains the character U+000A at position 2")]
    [TestCase("a\tb", "it contains the character U+0009 at position 2")]
    [TestCase("a\u0000", "it contains the character U+0000 at position 2")]
    [TestCase("a\u2028b", "it contains the character U+2028 at position 2")]
    [TestCase("..", "it would be read as a relative path")]
    [TestCase(".", "it would be read as a relative path")]
    public void Ids_with_unprintable_characters_are_refused_with_the_reason(string? text, string reason)
    {
        Assert.That(BatchId.TryCreate(text, out _, out var problem), Is.False);
        Assert.That(problem, Is.EqualTo(reason));
    }

    [Test]
    public void An_unpaired_surrogate_is_refused_and_a_pair_is_not()
    {
        Assert.That(BatchId.TryCreate("a" + '\uD800' + "b", out _, out var problem), Is.False);
        Assert.That(problem, Is.EqualTo("it contains the character U+D800 at position 2"));
        Assert.That(BatchId.TryCreate("a\U0001F600b", out _, out problem), Is.True, problem);
    }

    [Test]
    public void Ids_longer_than_the_maximum_are_refused()
    {
        Assert.That(BatchId.TryCreate(new string('a', BatchId.MaxLength), out _, out _), Is.True);
        Assert.That(BatchId.TryCreate(new string('a', BatchId.MaxLength + 1), out _, out var problem), Is.False);
        Assert.That(problem, Is.EqualTo($"it is {BatchId.MaxLength + 1} characters long"));
        Assert.That(
            () => BatchId.Parse(new string('a', BatchId.MaxLength + 1)),
            Throws.TypeOf<FormatException>().With.Message.Contains(BatchId.Rule));
    }

    [Test]
    public void A_simple_id_is_its_own_file_name()
    {
        Assert.That(BatchId.Parse("azure-1234-2.rc_1").FileName, Is.EqualTo("azure-1234-2.rc_1"));
    }

    [TestCaseSource(nameof(FreeTextIds))]
    public void Every_id_has_a_safe_file_name_of_its_own(string text)
    {
        var name = BatchId.Parse(text).FileName;

        Assert.That(name, Does.Match("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"));
        Assert.That(name.Length, Is.LessThanOrEqualTo(64));
        var others = FreeTextIds.Where(other => other != text).Select(other => BatchId.Parse(other).FileName);
        Assert.That(others, Has.None.EqualTo(name));
    }

    [Test]
    public void Ids_that_differ_only_in_unsafe_characters_get_different_file_names()
    {
        Assert.That(BatchId.Parse("a/b").FileName, Is.Not.EqualTo(BatchId.Parse("a?b").FileName));
        Assert.That(BatchId.Parse("a/b").FileName, Does.StartWith("a_b-"));
    }
}

public class BatchIdResolverTests
{
    private static readonly Guid Fresh = Guid.Parse("11111111-2222-3333-4444-555555555555");

    private static BatchIdResolution Resolve(BatchId? configured, params (string Name, string Value)[] environment)
    {
        var variables = environment.ToDictionary(pair => pair.Name, pair => pair.Value);
        return BatchIdResolver.Resolve(configured, name => variables.GetValueOrDefault(name), () => Fresh);
    }

    private static readonly (string, string)[] Everything =
    [
        ("BATCHBUILD_BATCH_ID", "from-batchbuild"),
        ("APPLITOOLS_BATCH_ID", "from-applitools"),
        ("BUILD_BUILDID", "501"),
        ("SYSTEM_JOBATTEMPT", "2"),
        ("GITHUB_RUN_ID", "9001"),
        ("GITHUB_RUN_ATTEMPT", "3"),
    ];

    [Test]
    public void The_explicit_setting_wins_over_everything()
    {
        var resolution = Resolve(BatchId.Parse("explicit"), Everything);

        Assert.That((resolution.Id?.Value, resolution.Origin), Is.EqualTo(("explicit", "the BatchId setting")));
    }

    [Test]
    public void Then_BATCHBUILD_BATCH_ID()
    {
        Assert.That(Resolve(null, Everything).Id?.Value, Is.EqualTo("from-batchbuild"));
    }

    [Test]
    public void Then_APPLITOOLS_BATCH_ID()
    {
        Assert.That(Resolve(null, Everything[1..]).Id?.Value, Is.EqualTo("from-applitools"));
    }

    [Test]
    public void Then_the_Azure_Pipelines_build_with_the_job_attempt_beside_it()
    {
        var resolution = Resolve(null, Everything[2..]);

        Assert.That(resolution.Id?.Value, Is.EqualTo("azure-501"));
        Assert.That(resolution.Origin, Is.EqualTo("Azure Pipelines build 501"));
        Assert.That((resolution.Attempt.Number, resolution.Attempt.IsRerun), Is.EqualTo((2, true)));
        Assert.That(resolution.Attempt.Origin, Is.EqualTo("Azure Pipelines (SYSTEM_JOBATTEMPT=2)"));
    }

    [Test]
    public void Every_attempt_of_an_Azure_Pipelines_build_names_one_batch_and_a_first_run_is_attempt_1()
    {
        var first = Resolve(null, ("BUILD_BUILDID", "501"));
        var third = Resolve(null, ("BUILD_BUILDID", "501"), ("SYSTEM_JOBATTEMPT", "3"), ("SYSTEM_STAGEATTEMPT", "5"));

        Assert.That(
            (first.Id?.Value, first.Attempt.Number, first.Attempt.IsRerun),
            Is.EqualTo(("azure-501", 1, false)));
        Assert.That(
            (third.Id?.Value, third.Attempt.Number),
            Is.EqualTo(("azure-501", 3)),
            "the job's attempt, not the stage's");
    }

    [Test]
    public void Every_attempt_of_a_GitHub_Actions_run_names_one_batch_and_the_attempt_is_the_run_attempt()
    {
        var third = Resolve(null, Everything[4..]);

        Assert.That((third.Id?.Value, third.Attempt.Number), Is.EqualTo(("github-9001", 3)));
        Assert.That(third.Attempt.Origin, Is.EqualTo("GitHub Actions (GITHUB_RUN_ATTEMPT=3)"));
        Assert.That(Resolve(null, ("GITHUB_RUN_ID", "9001")).Attempt, Is.EqualTo(RunAttempt.First));
    }

    [Test]
    public void A_re_run_keeps_its_attempt_whatever_names_the_batch()
    {
        Assert.That(
            Resolve(BatchId.Parse("explicit"), Everything).Attempt.Number,
            Is.EqualTo(2),
            "Azure Pipelines' job attempt, when both CIs' variables are set");
        Assert.That(
            Resolve(null, ("BATCHBUILD_BATCH_ID", "mine"), ("GITHUB_RUN_ID", "9001"), ("GITHUB_RUN_ATTEMPT", "2"))
                .Attempt.Number,
            Is.EqualTo(2));
    }

    [Test]
    public void An_attempt_variable_without_its_run_variable_is_not_read()
    {
        Assert.That(
            Resolve(null, ("SYSTEM_JOBATTEMPT", "4"), ("GITHUB_RUN_ATTEMPT", "4")).Attempt,
            Is.EqualTo(RunAttempt.First));
    }

    [TestCase("two")]
    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("2.0")]
    [TestCase("99999999999")]
    public void An_attempt_that_is_not_a_whole_number_from_1_is_a_BB1014_warning_and_counts_as_a_first_run(
        string attempt)
    {
        var resolution = Resolve(null, ("BUILD_BUILDID", "501"), ("SYSTEM_JOBATTEMPT", attempt));

        Assert.That((resolution.Id?.Value, resolution.Attempt), Is.EqualTo(("azure-501", RunAttempt.First)));
        var warning = resolution.Diagnostics.Single();
        Assert.That((warning.Code, warning.Severity), Is.EqualTo(("BB1014", DiagnosticSeverity.Warning)));
        Assert.That(warning.Message, Does.Contain($"SYSTEM_JOBATTEMPT='{attempt}'"));
    }

    [Test]
    public void Else_a_new_guid()
    {
        var resolution = Resolve(null, ("BATCHBUILD_BATCH_ID", "  "));

        Assert.That((resolution.Id?.Value, resolution.Origin), Is.EqualTo((Fresh.ToString(), "a new GUID")));
    }

    [Test]
    public void An_invalid_id_in_a_variable_is_an_error_not_a_silent_fallback()
    {
        var resolution = Resolve(null, ("APPLITOOLS_BATCH_ID", "my\tbatch"), ("BUILD_BUILDID", "501"));

        Assert.That(resolution.Id, Is.Null);
        var error = resolution.Diagnostics.Single();
        Assert.That((error.Code, error.Setting), Is.EqualTo(("BB1007", "environment variable APPLITOOLS_BATCH_ID")));
        Assert.That(error.Message, Does.Contain("U+0009").And.Contain(BatchId.Rule));
    }
}
