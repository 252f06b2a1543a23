using System.Diagnostics;

namespace BatchBuild.Client.Tests;

public sealed class RegularFilesTests
{
    [Test]
    public void A_scan_of_a_folder_holding_a_fifo_without_a_writer_skips_it_instead_of_blocking()
    {
        var folder = Directory.CreateTempSubdirectory("batchbuild-scan-").FullName;
        try
        {
            var fifo = Path.Combine(folder, "clr-debug-pipe-1-in");
            using (var mkfifo = Process.Start("mkfifo", [fifo]))
            {
                Assert.That(mkfifo.WaitForExit(TimeSpan.FromSeconds(30)) && mkfifo.ExitCode == 0, Is.True, "mkfifo");
            }

            var text = Path.Combine(folder, "log.txt");
            File.WriteAllText(text, "the needle");

            var read = Task.Run(() => new DirectoryInfo(folder).EnumerateFiles()
                .Where(file => RegularFiles.CanHold(file, "needle".Length))
                .Select(file => (file.Name, Content: File.ReadAllText(file.FullName)))
                .ToList());

            Assert.That(read.Wait(TimeSpan.FromSeconds(30)), Is.True, "reading the FIFO would block forever");
            Assert.That(read.Result, Is.EqualTo(new[] { ("log.txt", "the needle") }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void A_file_too_short_to_hold_the_text_is_not_read()
    {
        var file = new FileInfo(Path.GetTempFileName());
        try
        {
            Assert.That(RegularFiles.CanHold(file, 1), Is.False, "empty");
            File.WriteAllText(file.FullName, "abc");
            file.Refresh();
            Assert.That(RegularFiles.CanHold(file, 3), Is.True);
            Assert.That(RegularFiles.CanHold(file, 4), Is.False);
        }
        finally
        {
            file.Delete();
        }
    }
}
