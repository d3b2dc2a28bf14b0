using ScaleControl.Sandbox.DingTalk.Cards;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Sandbox;

/// <summary>The script API's picture of a card: its data as rendered, visible buttons, spaces, taps and history.</summary>
internal static class CardViews
{
    public static object View(CardInstance card, string? forUser = null, bool withHistory = false)
    {
        lock (card.Sync)
        {
            return new
            {
                outTrackId = card.OutTrackId,
                appKey = card.AppKey,
                templateId = card.Template.Id,
                callbackType = card.Callback.CallbackType,
                callbackRouteKey = card.Callback.CallbackRouteKey,
                userIdType = card.UserIdType,
                version = card.Version,
                createdAt = card.Versions[0].At,
                updatedAt = card.Versions[^1].At,
                cardData = card.CardData,
                privateData = card.PrivateData,
                userPrivateData = forUser is null ? null : card.PrivateDataOf(forUser),
                buttons = CardButtons.Visible(card.Template, card.CardData),
                renderWarnings = CardButtons.RenderWarnings(card.Template, card.CardData),
                spaces = card.Spaces.Select(s => new
                {
                    s.SpaceType, s.SpaceId, s.Success, s.ErrorMsg, s.RobotCode, s.AtUserIds, s.Recipients, s.At,
                }),
                taps = card.Taps,
                history = withHistory ? card.Versions : null,
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
