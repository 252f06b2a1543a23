namespace BatchBuild.Runner;

/// <summary>One lease, open while its test batch or a test that runs again from it has not ended.</summary>
internal sealed class LeaseHold(string id, int index)
{
    public string Id => id;

    public int Index => index;

    public int Open { get; set; } = 1;

    public bool Lost { get; set; }
}
