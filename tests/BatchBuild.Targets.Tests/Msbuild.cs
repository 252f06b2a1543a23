using System.Runtime.CompilerServices;
using Microsoft.Build.Locator;

namespace BatchBuild.Targets.Tests;

/// <summary>
/// Loads the MSBuild of the installed SDK when this assembly loads: before the test framework
/// reflects over test classes whose members name MSBuild types.
/// </summary>
internal static class Msbuild
{
    [ModuleInitializer]
    internal static void Register()
    {
        if (!MSBuildLocator.IsRegistered)
        {
            MSBuildLocator.RegisterDefaults();
        }
    }
}
