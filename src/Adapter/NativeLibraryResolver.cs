using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace BatchBuild.Collector;

/// <summary>
/// The datacollector process ignores a collector's <c>.deps.json</c>, so SQLite's native
/// <c>e_sqlite3</c> (under <c>runtimes/&lt;rid&gt;/native</c>) and managed dependencies are
/// resolved here, from the collector's own <c>.deps.json</c>.
/// </summary>
internal static class NativeLibraryResolver
{
    private static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        var self = typeof(NativeLibraryResolver).Assembly;
        var resolver = new AssemblyDependencyResolver(self.Location);
        var context = AssemblyLoadContext.GetLoadContext(self) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += (_, name) =>
            resolver.ResolveUnmanagedDllToPath(name) is { } path ? NativeLibrary.Load(path) : IntPtr.Zero;
        context.Resolving += (loadContext, name) =>
            resolver.ResolveAssemblyToPath(name) is { } path ? loadContext.LoadFromAssemblyPath(path) : null;
    }
}
