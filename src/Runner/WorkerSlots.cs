using System.Globalization;

namespace BatchBuild.Runner;

/// <summary>
/// A counting semaphore shared by every process of one <c>dotnet test</c> invocation, served
/// longest first. Each slot is a file held with an exclusive lock. A waiter keeps a ticket file
/// open, named after its priority — the expected milliseconds of the test batch it will run — and
/// its process ID; only the head ticket (longest, then oldest) may take a free slot, so that the
/// long test batches of every project of a solution start before the short ones of any. A ticket
/// of a process that no longer runs is removed. Tickets are never locked: probing another
/// waiter's lock could catch it between creating its ticket and locking it, and remove or break
/// a live ticket.
/// </summary>
internal sealed class WorkerSlots(string directory, int count)
{
    /// <summary>The priority of work that must come before any test batch, such as listing tests.</summary>
    public const double First = 1e15;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public int Count => count;

    public async Task<IDisposable> AcquireAsync(double expectedMillis, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var rank = (long)Math.Clamp(First - expectedMillis, 0, First);
        var name = string.Create(
            CultureInfo.InvariantCulture,
            $"{rank:D16}-{DateTime.UtcNow.Ticks:D20}-{Environment.ProcessId}-{Guid.NewGuid():N}.wait");
        using var ticket = new FileStream(
            Path.Combine(directory, name),
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.ReadWrite | FileShare.Delete,
            1,
            FileOptions.DeleteOnClose);
        while (true)
        {
            if (IsHead(name) && TryTakeSlot() is { } slot)
            {
                return slot;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IsHead(string name)
    {
        var queue = Directory.EnumerateFiles(directory, "*.wait")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal);
        foreach (var waiting in queue)
        {
            if (waiting == name)
            {
                return true;
            }

            if (!IsAbandoned(waiting!))
            {
                return false;
            }
        }

        return false;
    }

    // A ticket is abandoned when the process named in it has ended.
    private bool IsAbandoned(string ticket)
    {
        var fields = ticket.Split('-');
        if (fields.Length < 4
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var processId)
            || processId == Environment.ProcessId || IsRunning(processId))
        {
            return false;
        }

        File.Delete(Path.Combine(directory, ticket));
        return true;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private FileStream? TryTakeSlot()
    {
        for (var slot = 0; slot < count; slot++)
        {
            try
            {
                return new FileStream(
                    Path.Combine(directory, $"slot-{slot}.lock"),
                    FileMode.OpenOrCreate,
                    FileAccess.ReadWrite,
                    FileShare.None,
                    1,
                    FileOptions.None);
            }
            catch (IOException)
            {
                // Held by another worker, here or in another process.
            }
        }

        return null;
    }
}
