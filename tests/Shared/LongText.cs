using System.Text;

namespace BatchBuild.Tests.Shared;

/// <summary>
/// Long text in the scripts that take the most bytes per character: ASCII (one UTF-8 byte), CJK
/// (three) and characters beyond U+FFFF (two UTF-16 code units, four UTF-8 bytes), for tests of
/// the longest values the API accepts.
/// </summary>
public static class LongText
{
    /// <summary>The scripts <see cref="Of"/> writes in.</summary>
    public static readonly string[] Scripts = ["ascii", "cjk", "beyond-bmp"];

    /// <summary>
    /// Text of exactly <paramref name="length"/> UTF-16 code units in <paramref name="script"/>
    /// (a length beyond U+FFFF is even), its characters drawn from <paramref name="seed"/> so that
    /// it does not compress: a database that compresses a value must still hold it at full size.
    /// </summary>
    public static string Of(string script, int length, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            switch (script)
            {
                case "ascii":
                    text.Append((char)random.Next('!', '~' + 1));
                    break;
                case "cjk":
                    text.Append((char)random.Next(0x4E00, 0x9FFF + 1));
                    break;
                default:
                    // CJK Unified Ideographs Extension B.
                    text.Append(char.ConvertFromUtf32(random.Next(0x20000, 0x2A6DF + 1)));
                    break;
            }
        }

        return text.ToString();
    }
}
