using ScaleControl.Sandbox.DingTalk.Cards;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Sandbox;

/// <summary>The script API's picture of a card: its data as rendered, visible buttons, spaces, taps and history.</summary>
internal static class CardViews
{
    /// <summary>Taps listed per card (the newest); the full count is in <c>tapCount</c>.</summary>
    private const int RecentTaps = 20;

    public static object View(CardInstance card, string? forUser = null, bool withHistory = false)
    {
        lock (card.Sync)
        {
            // Everything is copied under the lock: the answer is serialized after it is released, while taps go on.
            return new
            {
                outTrackId = card.OutTrackId,
                appKey = card.AppKey,
                templateId = card.Template.Id,
                callbackType = card.Callback.CallbackType,
                callbackRouteKey = card.Callback.CallbackRouteKey,
                userIdType = card.UserIdType,
                version = card.Version,
                createdAt = card.CreatedAt,
                updatedAt = card.Versions[^1].At,
                cardData = new Dictionary<string, string>(card.CardData),
                privateData = card.PrivateData.ToDictionary(p => p.Key, p => new Dictionary<string, string>(p.Value)),
                userPrivateData = forUser is null ? null : new Dictionary<string, string>(card.PrivateDataOf(forUser)),
                buttons = CardButtons.Visible(card.Template, card.CardData),
                renderWarnings = CardButtons.RenderWarnings(card.Template, card.CardData),
                spaces = card.Spaces.Select(s => new
                {
                    s.SpaceType, s.SpaceId, s.Success, s.ErrorMsg, s.RobotCode, s.AtUserIds, s.Recipients, s.At,
                }).ToList(),
                tapCount = card.Taps.Count,
                taps = card.Taps.TakeLast(RecentTaps).ToList(),
                history = withHistory ? card.Versions.ToList() : null,
            };
        }
    }

    /// <summary>The successful space through which <paramref name="userId"/> sees the card, if any.</summary>
    public static DeliveredSpace? SpaceSeenBy(CardInstance card, string userId, SandboxDirectory directory)
    {
        lock (card.Sync)
        {
            return card.Spaces.FirstOrDefault(s => s.Success && s.SpaceType switch
            {
                "IM_GROUP" => directory.FindGroup(s.SpaceId)?.Members.Contains(userId) == true
                    && (s.Recipients.Count == 0 || s.Recipients.Contains(userId) || s.Recipients.Contains(directory.FindUser(userId)!.UnionId)),
                "ONE_BOX" => directory.FindGroup(s.SpaceId)?.Members.Contains(userId) == true,
                "IM_ROBOT" => s.SpaceId == userId || s.SpaceId == directory.FindUser(userId)?.UnionId,
                _ => true,
            });
        }
    }
}
