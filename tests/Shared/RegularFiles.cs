namespace BatchBuild.Tests.Shared;

/// <summary>
/// Which files a scan of a shared folder (the temp folder) may read. A FIFO, socket or device
/// there — the <c>clr-debug-pipe-*</c> of other .NET processes, or one a killed process left
/// behind — blocks a read forever when nothing writes to it. Linux reports such files with a
/// length of 0, and .NET has no file-type attribute for them, so a scan reads only files long
/// enough to hold what it looks for.
/// </summary>
public static class RegularFiles
{
    /// <summary>Whether <paramref name="file"/> is a file with content of at least <paramref name="length"/> bytes,
    /// safe to read.</summary>
    public static bool CanHold(FileInfo file, int length) =>
        length > 0
        && file.Length >= length
        && (file.Attributes & (FileAttributes.Directory | FileAttributes.ReparsePoint | FileAttributes.Device)) == 0;
}
