using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Text;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.DingTalk.Notices;

namespace ScaleControl.Server.Chat;

/// <summary>
/// Which policies a chat group belongs to: a policy's group is where its approval cards go
/// (<c>approval.openConversationId</c>) and where its notices go (<c>notifications.openConversationId</c>, else
/// <c>NoticeConversationId</c>). A team's on-call group reads its own policies by default; a group no policy sends to
/// (the robot just added to it) is told so, with the id to route a policy there. Rights stay per person: the group
/// only decides what a bare <c>status</c> shows and which hint an answer carries, never what may be done.
/// </summary>
public sealed class ChatConversations(IOptionsMonitor<DingTalkOptions> dingTalk)
{
    public bool IsGroupOf(ScalePolicy policy, string conversation) =>
        policy.Spec.Approval?.OpenConversationId == conversation
        || NoticeGroups.GroupOf(policy.Spec.Notifications, dingTalk.CurrentValue) == conversation;

    /// <summary>Whether ScaleControl posts into <paramref name="conversation"/> at all: some policy's cards or notices, or the fault notice.</summary>
    public bool IsKnown(string conversation, IEnumerable<ScalePolicy> policies) =>
        dingTalk.CurrentValue.NoticeConversationId == conversation
        || dingTalk.CurrentValue.ChatConversationIds.Contains(conversation, StringComparer.Ordinal)
        || policies.Any(p => IsGroupOf(p, conversation));

    /// <summary>The line for a group ScaleControl sends nothing to: commands work there, but nothing arrives by itself.</summary>
    public static string UnknownGroupHint(string conversation) =>
        $"ℹ No ScalePolicy sends its cards or notices to this group, so nothing arrives here by itself; commands work as anywhere. " +
        $"To send a policy's here, set its `spec.approval.openConversationId` (cards) or `spec.notifications.openConversationId` (notices) to `{CodeSpanText.Quote(conversation)}`.";
}
