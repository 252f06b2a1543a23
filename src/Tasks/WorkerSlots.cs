namespace BatchBuild.Tasks;

/// <summary>
/// A counting semaphore shared by every process of one <c>dotnet test</c> invocation: each slot is
/// a file held with an exclusive lock. The projects of a solution run their tasks in parallel
/// MSBuild nodes; through these slots they run no more test batches at once than there are workers.
/// </summary>
internal sealed class WorkerSlots(string directory, int count)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public int Count => count;

    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        while (true)
        {
            for (var slot = 0; slot < count; slot++)
            {
                try
                {
                    return new FileStream(
                        Path.Combine(directory, $"slot-{slot}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException)
                {
                    // Held by another worker, here or in another process.
                }
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
