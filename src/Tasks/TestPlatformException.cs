namespace BatchBuild.Tasks;

/// <summary>vstest.console could not be started in design mode, or failed while it worked.</summary>
internal sealed class TestPlatformException(string message, Exception inner) : Exception(message, inner);
