using System.Text;
using BatchBuild.Core.Testing;

namespace BatchBuild.Mtp;

/// <summary>Reads the lines a test host's reporter appends to its file, from where it left off.</summary>
internal sealed class ResultFileReader(string path) : IDisposable
{
    private FileStream? _file;
    private readonly StringBuilder _partial = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly char[] _chars = new char[Encoding.UTF8.GetMaxCharCount(64 * 1024)];

    /// <summary>
    /// Reads the complete lines written since the last call into <paramref name="lines"/>; true when
    /// a test started or ended.
    /// </summary>
    public bool ReadNew(ResultLines lines, double nowMillis)
    {
        if (_file is null)
        {
            if (!File.Exists(path))
            {
                return false;
            }

            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        var any = false;
        int read;
        while ((read = _file.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            var count = _decoder.GetChars(_buffer, 0, read, _chars, 0);
            _partial.Append(_chars, 0, count);
            var text = _partial.ToString();
            var last = text.LastIndexOf('\n');
            if (last < 0)
            {
                continue;
            }

            foreach (var line in text[..last].Split('\n'))
            {
                any |= lines.Read(line, nowMillis);
            }

            _partial.Clear().Append(text, last + 1, text.Length - last - 1);
        }

        return any;
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();
}
