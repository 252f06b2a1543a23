namespace BatchBuild.EndToEnd.Tests;

/// <summary>A recorded duration read back from the SQLite store file.</summary>
internal sealed record StoredResult(
    string BatchId,
    int TestBatch,
    string Assembly,
    string FullName,
    string Outcome,
    double DurationMillis);
