namespace BatchBuild.Core.Store;

/// <summary>Where one notification's delivery to one target stands.</summary>
public enum DeliveryState
{
    /// <summary>Not yet taken by the target: waiting for its first or next try, or being tried.</summary>
    Pending,

    /// <summary>The target answered 2xx; it is never sent again.</summary>
    Delivered,

    /// <summary>Every allowed try failed, or the notification grew too old; it is not tried again.</summary>
    GivenUp,
}
