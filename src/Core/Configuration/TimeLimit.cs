using System.Globalization;
using System.Xml;

namespace BatchBuild.Core.Configuration;

/// <summary>
/// How far back recorded durations count: either a span looking back from now (an ISO-8601
/// duration such as <c>-PT1H</c> or <c>-P7D</c>; the sign is optional) or an absolute date-time.
/// </summary>
public abstract partial record TimeLimit
{
    private TimeLimit()
    {
    }

    /// <summary>The earliest time a record may have to count, seen from <paramref name="now"/>.</summary>
    public abstract DateTimeOffset WindowStart(DateTimeOffset now);

    /// <summary>Reads an ISO-8601 duration or date-time; false when it is neither.</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TimeLimit? limit)
    {
        text = text.Trim();
        limit = null;
        if (text.StartsWith('P')
            || text.StartsWith("-P", StringComparison.Ordinal)
            || text.StartsWith("+P", StringComparison.Ordinal))
        {
            try
            {
                var span = XmlConvert.ToTimeSpan(text.TrimStart('+'));
                limit = new LookBack(span.Duration());
                return true;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return false;
            }
        }

        // Only ISO-8601 dates (yyyy-MM-dd…), so that a bare time or number is not read as "today".
        if (IsoDate().IsMatch(text)
            && DateTimeOffset.TryParse(
                text,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal,
                out var since))
        {
            limit = new Since(since);
            return true;
        }

        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial System.Text.RegularExpressions.Regex IsoDate();

    /// <summary>Records from the last <paramref name="Span"/> count.</summary>
    public sealed record LookBack(TimeSpan Span) : TimeLimit
    {
        /// <inheritdoc />
        public override DateTimeOffset WindowStart(DateTimeOffset now) => now - Span;

        /// <inheritdoc />
        public override string ToString() => "-" + XmlConvert.ToString(Span);
    }

    /// <summary>Records from <paramref name="Start"/> on count.</summary>
    public sealed record Since(DateTimeOffset Start) : TimeLimit
    {
        /// <inheritdoc />
        public override DateTimeOffset WindowStart(DateTimeOffset now) => Start;

        /// <inheritdoc />
        public override string ToString() => Start.ToString("O", CultureInfo.InvariantCulture);
    }
}
