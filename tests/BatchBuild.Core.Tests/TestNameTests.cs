using BatchBuild.Core.Discovery;

namespace BatchBuild.Core.Tests;

public class TestNameTests
{
    [TestCase("Ns.C.M", "Ns.C")]
    [TestCase("Ns.C.M(\"a.b\",3)", "Ns.C")]
    [TestCase("Ns.C.M(\"a\\\").b\")", "Ns.C")]
    [TestCase("Ns.Outer+Inner.M", "Ns.Outer+Inner")]
    [TestCase("Ns.G<System.Int32>.M", "Ns.G<System.Int32>")]
    [TestCase("Ns.C(\"x.y\").M(1.5)", "Ns.C(\"x.y\")")]
    [TestCase("M", "M")]
    public void The_class_is_what_precedes_the_method(string fullyQualifiedName, string expected)
    {
        Assert.That(TestName.ClassOf(fullyQualifiedName), Is.EqualTo(expected));
    }

    [TestCase("/a/b/Tests.dll", "Tests")]
    [TestCase(@"C:\a\Tests.EXE", "Tests")]
    [TestCase("Tests", "Tests")]
    public void History_keys_use_the_assembly_name(string source, string expected)
    {
        Assert.That(TestKey.AssemblyNameOf(source), Is.EqualTo(expected));
    }
}
