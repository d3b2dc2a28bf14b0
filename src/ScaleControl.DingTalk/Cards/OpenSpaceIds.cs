namespace ScaleControl.DingTalk.Cards;

/// <summary>The <c>dtv1.card//SPACETYPE.spaceId</c> grammar (§2.2); upper-case space types as the official SDKs emit.</summary>
public static class OpenSpaceIds
{
    public static string ImGroup(string openConversationId) => "dtv1.card//IM_GROUP." + openConversationId;
}
