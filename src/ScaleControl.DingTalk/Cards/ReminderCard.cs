using Microsoft.Extensions.Options;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// A small card without buttons (status <c>reminder</c>) that @-mentions people in a group about an approval card there.
/// A card's delivery is what notifies the people it @-mentions: the robot's group messages (groupMessages/send) take no
/// @ at all (an <c>@name</c> in their text is plain text and notifies nobody), and a card update carries no mentions.
/// The decision is taken on the approval card, which the reminder names and links to.
/// </summary>
public sealed class ReminderCard(DingTalkApiClient api, ApprovalCardContent content, IOptionsMonitor<DingTalkOptions> options, TimeProvider timeProvider)
{
    /// <summary>What the reminder says: its title, status line, the line that @-mentions the people, and the chat list's Chinese preview.</summary>
    public sealed record Text(string Title, string StatusText, string Result, string ChinesePreview);

    /// <summary>Delivers the reminder about <paramref name="about"/> into <paramref name="group"/>, @-mentioning <paramref name="people"/>; throws when it was not delivered.</summary>
    /// <param name="kind">What the reminder is for, part of its outTrackId (a new card each time).</param>
    public async Task DeliverAsync(ScaleProposal about, string kind, string group, Text text, IReadOnlyList<string> people, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var outTrackId = ProposalIdentity.ToOutTrackId(
            settings.Instance, kind, $"{about.Metadata.Namespace}.{about.Metadata.Name}-{timeProvider.GetUtcNow().ToUnixTimeSeconds()}");
        var result = await api.CreateAndDeliverCardAsync(new CreateAndDeliverCardRequest
        {
            CardTemplateId = settings.CardTemplateId,
            OutTrackId = outTrackId,
            CardData = new CardParams(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ApprovalCardVariables.Title] = text.Title,
                [ApprovalCardVariables.Status] = "reminder",
                [ApprovalCardVariables.StatusText] = text.StatusText,
                [ApprovalCardVariables.Result] = text.Result,
                [ApprovalCardVariables.DetailUrl] = content.DetailLink(about),
            }),
            OpenSpaceId = OpenSpaceIds.ImGroup(group),
            ImGroupOpenSpaceModel = new ImGroupOpenSpaceModel(false, new Dictionary<string, string> { ["ZH_CN"] = text.ChinesePreview, ["EN_US"] = text.Title }),
            ImGroupOpenDeliverModel = new ImGroupOpenDeliverModel(
                settings.EffectiveRobotCode, people.Distinct(StringComparer.Ordinal).ToDictionary(user => user, content.DisplayName, StringComparer.Ordinal)),
        }, cancellationToken);
        if (result.DeliverResults?.FirstOrDefault(r => !r.Success) is { } failed)
        {
            throw new InvalidOperationException($"the reminder card could not be delivered to {group}: {failed.ErrorMsg ?? "no reason given"}");
        }
    }

    /// <summary>"@Zhang San @Li Si", as the group reads the people.</summary>
    public string Mentions(IEnumerable<string> people) => string.Join(' ', people.Select(user => "@" + MarkdownText.Escape(content.DisplayName(user)))); // the result field is markdown
}
