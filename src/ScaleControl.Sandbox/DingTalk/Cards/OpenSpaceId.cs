using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>
/// <c>dtv1.card//SPACETYPE.spaceId[;SPACETYPE.spaceId…]</c>. Space types are accepted in upper or lower case
/// (official tables use upper case, generated examples lower case); anything else is <c>param.openSpaceIdInvalid</c>.
/// </summary>
internal static class OpenSpaceId
{
    public const string Prefix = "dtv1.card//";

    public static readonly IReadOnlyDictionary<string, string> DeliverModelBySpaceType = new Dictionary<string, string>
    {
        ["IM_GROUP"] = "imGroupOpenDeliverModel",
        ["IM_SINGLE"] = "imSingleOpenDeliverModel",
        ["IM_ROBOT"] = "imRobotOpenDeliverModel",
        ["ONE_BOX"] = "topOpenDeliverModel",
    };

    public static IReadOnlyList<(string SpaceType, string SpaceId)> Parse(string openSpaceId)
    {
        if (!openSpaceId.StartsWith(Prefix, StringComparison.Ordinal) || openSpaceId.Length == Prefix.Length)
        {
            throw Invalid(openSpaceId, $"must start with '{Prefix}'");
        }

        var spaces = new List<(string, string)>();
        foreach (var part in openSpaceId[Prefix.Length..].Split(';'))
        {
            var dot = part.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || dot == part.Length - 1)
            {
                throw Invalid(openSpaceId, $"'{part}' is not SPACETYPE.spaceId");
            }

            var spaceType = part[..dot].ToUpperInvariant();
            if (!DeliverModelBySpaceType.ContainsKey(spaceType))
            {
                throw Invalid(openSpaceId, $"unknown space type '{part[..dot]}'");
            }

            spaces.Add((spaceType, part[(dot + 1)..]));
        }

        return spaces;
    }

    private static DingTalkApiException Invalid(string openSpaceId, string why) =>
        DingTalkApiException.BadRequest("param.openSpaceIdInvalid", $"openSpaceId '{openSpaceId}' is invalid: {why}");
}
