using BatchBuild.Core.Store;

namespace BatchBuild.Core.Tests;

public class StoredTextTests
{
    [Test]
    public void Text_a_database_keeps_is_returned_as_it_is()
    {
        const string text = "Ns.C.M(\"a,b\", 日本, \U0001F600)\r\n";

        Assert.That(StoredText.Clean(text), Is.SameAs(text));
    }

    [Test]
    public void Nul_and_unpaired_surrogates_become_the_replacement_character_and_pairs_stay()
    {
        var text = "a\0b" + '\uD800' + "c\U0001F600" + '\uDC00';

        Assert.That(StoredText.Clean(text), Is.EqualTo("a\uFFFDb\uFFFDc\U0001F600\uFFFD"));
    }
}
