using System.Reflection;
using System.Runtime.Loader;

namespace BatchBuild.Tasks;

/// <summary>
/// Loads the test platform (the translation layer, the object model and what they need) from the
/// folder of the vstest.console that runs the tests: the SDK's own folder under <c>dotnet test</c>,
/// whose assemblies match its vstest.console. The package ships none of them.
/// </summary>
internal static class TestPlatformAssemblies
{
    private static readonly object Gate = new();
    private static string? _directory;

    /// <summary>
    /// Resolves test platform assemblies from the folder of <paramref name="vstestConsolePath"/>.
    /// Must run before any method that uses a test platform type is compiled; the first folder
    /// given serves the whole process.
    /// </summary>
    public static void ResolveFrom(string vstestConsolePath)
    {
        lock (Gate)
        {
            if (_directory is not null)
            {
                return;
            }

            _directory = Path.GetDirectoryName(Path.GetFullPath(vstestConsolePath));
            // MSBuild loads a task's dependencies that are not beside it through the default
            // context, where the translation layer lands: its own dependencies resolve there.
            AssemblyLoadContext.Default.Resolving += Resolve;
        }
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is not { } simple
            || !(simple.StartsWith("Microsoft.TestPlatform.", StringComparison.Ordinal)
                || simple.StartsWith("Microsoft.VisualStudio.TestPlatform.", StringComparison.Ordinal)
                || simple == "Newtonsoft.Json"))
        {
            return null;
        }

        var path = Path.Combine(_directory!, simple + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }
}
