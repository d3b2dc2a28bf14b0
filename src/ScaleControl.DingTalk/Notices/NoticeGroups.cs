using ScaleControl.Core.Policies;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Notices;

/// <summary>Where a policy's notices go in DingTalk: the route's group, else the default notice group.</summary>
public static class NoticeGroups
{
    /// <summary>The group the app robot posts to; null for a custom-robot webhook route (it cannot carry cards) or no group at all.</summary>
    public static string? GroupOf(NotificationSpec? route, DingTalkOptions settings) =>
        route?.Webhook is { Length: > 0 } ? null
        : route?.OpenConversationId is { Length: > 0 } group ? group
        : string.IsNullOrEmpty(settings.NoticeConversationId) ? null
        : settings.NoticeConversationId;
}
