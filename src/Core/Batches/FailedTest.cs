namespace BatchBuild.Core.Batches;

/// <summary>A failed test as the completion notification names it.</summary>
/// <param name="Assembly">The test's assembly name.</param>
/// <param name="Name">The test's fully qualified name.</param>
/// <param name="Message">Its error message, if it reported one.</param>
public sealed record FailedTest(string Assembly, string Name, string? Message);
