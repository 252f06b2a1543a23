using System.Text.Json;
using System.Text.Json.Serialization;
using BatchBuild.Core.Store;

namespace BatchBuild.Core.Api;

/// <summary>
/// The JSON of the batch server's API: camelCase, enums as camelCase strings, generated at compile
/// time. An outcome is one of its names only, a time carries its offset, and text holding an
/// escaped unpaired surrogate is read as sent (see the converters).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = false,
    Converters = [typeof(OutcomeJsonConverter), typeof(OffsetTimeJsonConverter), typeof(WireTextJsonConverter)])]
[JsonSerializable(typeof(ResultsRequest))]
[JsonSerializable(typeof(ResultsResponse))]
[JsonSerializable(typeof(BatchPageDto))]
[JsonSerializable(typeof(BatchDto))]
[JsonSerializable(typeof(BatchResultsDto))]
[JsonSerializable(typeof(CloseResponse))]
[JsonSerializable(typeof(NotificationsDto))]
[JsonSerializable(typeof(DeliveryPage))]
[JsonSerializable(typeof(CloseTokenDto))]
[JsonSerializable(typeof(DurationsRequest))]
[JsonSerializable(typeof(DurationsResponse))]
[JsonSerializable(typeof(TestRunsDto))]
[JsonSerializable(typeof(QueueRegistration))]
[JsonSerializable(typeof(QueueSummaryDto))]
[JsonSerializable(typeof(QueuePlanRequest))]
[JsonSerializable(typeof(QueuePlanPageDto))]
[JsonSerializable(typeof(TimelineDto))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(LeaseResponse))]
[JsonSerializable(typeof(LeaseAgent))]
[JsonSerializable(typeof(LeaseCompletion))]
[JsonSerializable(typeof(LeasesDto))]
[JsonSerializable(typeof(RerunRequest))]
[JsonSerializable(typeof(RerunResponse))]
[JsonSerializable(typeof(StartCostsRequest))]
[JsonSerializable(typeof(StartCostsRecorded))]
[JsonSerializable(typeof(StartCostsQueryRequest))]
[JsonSerializable(typeof(StartCostsResponse))]
public sealed partial class ApiJson : JsonSerializerContext;
