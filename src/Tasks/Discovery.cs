using Microsoft.VisualStudio.TestPlatform.ObjectModel;

namespace BatchBuild.Tasks;

/// <summary>What one discovery found, and what vstest said while it ran.</summary>
internal sealed record Discovery(IReadOnlyList<TestCase> TestCases, bool Aborted, string Log);
