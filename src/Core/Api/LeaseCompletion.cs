using BatchBuild.Core.Agents;

namespace BatchBuild.Core.Api;

/// <summary>
/// What became of a completed lease: <c>completed</c>, or <c>duplicate</c> when another agent had taken its test batch
/// over.
/// </summary>
public sealed record LeaseCompletion(CompletionStatus Status);
