namespace BatchBuild.Bench;

/// <summary>A large test project the start-cost figures run, built in Release.</summary>
/// <param name="Project">The test project's file.</param>
/// <param name="Serial">Whether its tests run one after another in one process.</param>
/// <param name="TestingPlatform">Whether it is a Microsoft.Testing.Platform app.</param>
internal sealed record LargeSuite(string Project, bool Serial, bool TestingPlatform);
