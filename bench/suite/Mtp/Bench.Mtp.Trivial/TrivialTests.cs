using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Bench.Mtp.Trivial;

/// <summary>Eleven tests that do nothing: a test batch of one costs what running the app costs.</summary>
[TestClass]
public sealed class TrivialTests
{
    [TestMethod] public void T01() { }
    [TestMethod] public void T02() { }
    [TestMethod] public void T03() { }
    [TestMethod] public void T04() { }
    [TestMethod] public void T05() { }
    [TestMethod] public void T06() { }
    [TestMethod] public void T07() { }
    [TestMethod] public void T08() { }
    [TestMethod] public void T09() { }
    [TestMethod] public void T10() { }
    [TestMethod] public void T11() { }
}
