namespace ScaleControl.DingTalk.Cards;

/// <summary><c>dingtalk://</c> links (dingtalk-protocol.md §8).</summary>
public static class DeepLink
{
    /// <summary>Opens <paramref name="url"/> inside DingTalk (side panel on PC, full screen on mobile).</summary>
    public static string ToDingTalkSidePanel(Uri url) =>
        "dingtalk://dingtalkclient/page/link?url=" + Uri.EscapeDataString(url.AbsoluteUri) + "&pc_slide=true";
}
