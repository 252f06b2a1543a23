namespace BatchBuild.EndToEnd.Tests;

/// <summary>What one sample test saw when it ran: a line its <c>TestRecorder</c> wrote.</summary>
internal sealed record SampleRecord(
    string Test,
    string BatchId,
    string TestBatch,
    string TestBatchCount,
    int ProcessId,
    string ApplitoolsBatchId);
