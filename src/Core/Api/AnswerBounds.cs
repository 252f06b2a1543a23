using System.Text.Encodings.Web;
using System.Text.Json;
using BatchBuild.Core.Batches;

namespace BatchBuild.Core.Api;

/// <summary>
/// The largest answer of each of the batch server's routes, in bytes, computed from the limits
/// that bound it: page sizes, text lengths, and <see cref="BytesPerChar"/>. The API table in docs/server.md
/// states them; the server tests send the worst inputs and check the answers stay under them.
/// </summary>
public static class AnswerBounds
{
    /// <summary>
    /// The most bytes one UTF-16 code unit of text takes in an answer: the server's JSON escapes
    /// every character outside ASCII, and HTML-sensitive ones, as <c>\uXXXX</c>.
    /// </summary>
    public const int BytesPerChar = 6;

    /// <summary>
    /// What an answer takes around its list, besides what is counted: property names, numbers, brackets.
    /// </summary>
    public const int Envelope = 256;

    /// <summary>
    /// The most bytes of one batch (<see cref="BatchDto"/>): its ID and its name (the ID and <c>#sequence</c>), times
    /// and counts.
    /// </summary>
    public const long Batch = 640 + (BytesPerChar * ((2 * BatchId.MaxLength) + 12));

    /// <summary>
    /// The most bytes of one result in a list: five texts of the longest, the batch ID, and the error message as cut.
    /// </summary>
    public static readonly long ListedResult =
        400 + (BytesPerChar * (BatchId.MaxLength + (5L * ResultDto.MaxTextLength) + ResultDto.MaxListedErrorLength
            + ResultDto.MaxCutMarkerLength));

    /// <summary>The most bytes of one result with its whole error message.</summary>
    public static readonly long WholeResult =
        400 + (BytesPerChar * (BatchId.MaxLength + (5L * ResultDto.MaxTextLength) + ResultDto.MaxErrorLength));

    /// <summary>
    /// The most bytes of one run of a test batch on the timeline: its agent and assembly, times and counts.
    /// </summary>
    public const long Span = 256 + (BytesPerChar * 2L * ResultDto.MaxTextLength);

    /// <summary>
    /// The most bytes of one lease: its agent, assembly and the agent it took over from, times and counts.
    /// </summary>
    public const long Lease = 320 + (BytesPerChar * (32 + (3L * ResultDto.MaxTextLength)));

    /// <summary><c>GET /api/v1/batches</c>: a page of batches.</summary>
    public const long BatchList = Envelope + (Store.BatchListQuery.MaxPageSize * Batch);

    /// <summary><c>GET /api/v1/batches/{id}/{sequence}/results</c>: the batch and a page of its results.</summary>
    public static readonly long ResultsPage = Envelope + Batch + (Store.BatchResultsPage.MaxPageSize * ListedResult);

    /// <summary><c>GET /api/v1/batches/{id}/{sequence}/timeline</c>: a page of the runs of its test batches.</summary>
    public const long TimelinePage =
        Envelope + (BytesPerChar * BatchId.MaxLength) + (Store.TestBatchTimeline.MaxPageSize * Span);

    /// <summary><c>GET /api/v1/batches/{id}/leases</c>: a page of its leases.</summary>
    public const long LeasesPage = Envelope + (BytesPerChar * BatchId.MaxLength) + (LeasesDto.MaxPageSize * Lease);

    /// <summary><c>GET /api/v1/tests/runs</c>: a test's runs, with their whole messages.</summary>
    public static readonly long TestRuns =
        Envelope + (BytesPerChar * 2L * ResultDto.MaxTextLength) + (TestRunsDto.MaxLimit * WholeResult);

    /// <summary><c>POST /api/v1/batches/{id}/queue</c>: the summary of the queue's plan.</summary>
    public const long QueueSummary = Envelope + (BytesPerChar * ResultDto.MaxTextLength) + 80;

    /// <summary>
    /// <c>POST /api/v1/batches/{id}/queue/plan</c>: a page of the queue's plan, whose one test may pass the page's
    /// budget.
    /// </summary>
    public const long QueuePlanPage = Envelope + (BytesPerChar * ResultDto.MaxTextLength) + QueuePlanPageDto.MaxBytes
        + QueuePlanPageDto.PartBytes + (BytesPerChar * ResultDto.MaxTextLength) + 3;

    /// <summary><c>POST /api/v1/results</c>: the batches the results went to.</summary>
    public const long Report = Envelope + (ResultsRequest.MaxBatchesPerReport * Batch);

    /// <summary>
    /// <c>POST /api/v1/batches/{id}/leases</c> and heartbeats: a lease and its test batch, whose
    /// tests an agent registered in one request, so at most <see cref="BytesPerChar"/> bytes per
    /// byte of that request.
    /// </summary>
    public static long LeaseAnswer(long maxRequestBytes) => Envelope + Lease + (BytesPerChar * maxRequestBytes);

    /// <summary>The bytes of <paramref name="text"/> as a JSON string in an answer, quotes included.</summary>
    public static int JsonBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return JsonEncodedText.Encode(text, JavaScriptEncoder.Default).EncodedUtf8Bytes.Length + 2;
        }
        catch (ArgumentException)
        {
            // Text that is not valid UTF-16 is written with replacement characters: no longer than this.
            return (BytesPerChar * text.Length) + 2;
        }
    }
}
