namespace ScaleControl.DingTalk.Cards;

/// <summary>The <c>dtv1.card//SPACETYPE.spaceId</c> grammar (§2.2); upper-case space types as the official SDKs emit.</summary>
public static class OpenSpaceIds
{
    public static string ImGroup(string openConversationId) => "dtv1.card//IM_GROUP." + openConversationId;

    /// <summary>The one-to-one chat between the app's robot and <paramref name="userId"/>.</summary>
    public static string ImRobot(string userId) => "dtv1.card//IM_ROBOT." + userId;

    /// <summary>The one-to-one chats of several people: one card in each (<c>SPACETYPE.spaceId</c> parts joined by <c>;</c>).</summary>
    public static string ImRobots(IEnumerable<string> userIds) => "dtv1.card//" + string.Join(";", userIds.Select(u => "IM_ROBOT." + u));
}
