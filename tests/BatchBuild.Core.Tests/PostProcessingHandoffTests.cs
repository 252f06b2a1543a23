using System.Text.Json;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Tests;

public sealed class PostProcessingHandoffTests
{
    [Test]
    public void The_close_hand_off_is_a_completed_run_that_attached_the_request_under_the_session_collector()
    {
        var json = JsonDocument.Parse(PostProcessingHandoff.ForClose(
            "/tmp/s/batchbuild_1/close request #1.json",
            "/pkg/tasks/net10.0/BatchBuild.Collector.dll")).RootElement;

        Assert.That(json.GetProperty("MessageType").GetString(), Is.EqualTo("TestExecution.Completed"));
        var payload = json.GetProperty("Payload");
        var set = payload.GetProperty("AttachmentSets").EnumerateArray().Single();
        Assert.That(set.GetProperty("Uri").GetString(), Is.EqualTo(PostProcessingHandoff.SessionCollectorUri));
        Assert.That(set.GetProperty("DisplayName").GetString(), Is.EqualTo(PostProcessingHandoff.SessionCollector));
        var attachment = set.GetProperty("Attachments").EnumerateArray().Single();
        var uri = new Uri(attachment.GetProperty("Uri").GetString()!);
        Assert.That(
            uri.IsAbsoluteUri && uri.IsFile,
            Is.True,
            "vstest reads a bare path back as a relative URI and fails on it");
        Assert.That(uri.LocalPath, Is.EqualTo("/tmp/s/batchbuild_1/close request #1.json"));

        var collector = payload.GetProperty("InvokedDataCollectors").EnumerateArray().Single();
        Assert.That(collector.GetProperty("Uri").GetString(), Is.EqualTo(PostProcessingHandoff.SessionCollectorUri));
        Assert.That(
            collector.GetProperty("FilePath").GetString(),
            Is.EqualTo("/pkg/tasks/net10.0/BatchBuild.Collector.dll"));
        Assert.That(collector.GetProperty("HasAttachmentProcessor").GetBoolean(), Is.True);
        Assert.That(
            collector.GetProperty("AssemblyQualifiedName").GetString(),
            Does.StartWith("BatchBuild.Collector.BatchBuildSessionCollector, "));
    }

    [Test]
    public void A_hand_off_folder_is_new_each_time_and_only_its_owner_may_enter_it()
    {
        var temp = Directory.CreateTempSubdirectory("handoff-").FullName;
        try
        {
            var first = PostProcessingHandoff.CreateFolder(temp, "session-1");
            var second = PostProcessingHandoff.CreateFolder(temp, "session-1");

            Assert.That(first, Is.Not.EqualTo(second));
            Assert.That(
                Path.GetDirectoryName(first),
                Is.EqualTo(PostProcessingHandoff.SessionFolder(temp, "session-1")));
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(
                    File.GetUnixFileMode(first),
                    Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
