using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace BatchBuild.Store;

/// <summary>
/// vstest.console and the datacollector process ignore an extension's <c>.deps.json</c>, so
/// SQLite's native <c>e_sqlite3</c> (under <c>runtimes/&lt;rid&gt;/native</c>) and the managed
/// dependencies are resolved here, from the extension's own <c>.deps.json</c>. Call before the
/// first use of the store.
/// </summary>
public static class NativeLibraryResolver
{
    private static int _installed;

    /// <summary>Resolves dependencies through the <c>.deps.json</c> beside <paramref name="extension"/>.</summary>
    public static void Install(Assembly extension)
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        var resolver = new AssemblyDependencyResolver(extension.Location);
        var context = AssemblyLoadContext.GetLoadContext(extension) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += (_, name) =>
            resolver.ResolveUnmanagedDllToPath(name) is { } path ? NativeLibrary.Load(path) : IntPtr.Zero;
        context.Resolving += (loadContext, name) =>
            resolver.ResolveAssemblyToPath(name) is { } path ? loadContext.LoadFromAssemblyPath(path) : null;
    }
}
