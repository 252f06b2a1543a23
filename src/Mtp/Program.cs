using BatchBuild.Core;
using BatchBuild.Mtp;
using BatchBuild.Store;

// dotnet exec BatchBuild.Mtp.dll <launch file> -- <test app command> <its arguments…>
// dotnet test starts this in place of a Microsoft.Testing.Platform test app (see PrepareTestApp):
// it lists the app's tests, plans test batches and runs each as a run of the app of its own.
if (args.Length < 3 || args[1] != "--")
{
    Console.Error.WriteLine(Diagnostic.Error(
        DiagnosticCodes.InvalidLaunch,
        "BatchBuild.Mtp takes <launch file> -- <test app command> [arguments]; "
        + "dotnet test starts it through the BatchBuild package's targets"));
    return 5;
}

NativeLibraryResolver.Install(typeof(Launcher).Assembly);
var launcher = new Launcher(args[0], args[2], args[3..]);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await launcher.RunAsync(cancel.Token);
