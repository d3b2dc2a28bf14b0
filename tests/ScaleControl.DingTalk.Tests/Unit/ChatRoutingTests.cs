using ScaleControl.DingTalk.Chat;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Tests.Unit;

/// <summary>Several instances on one robot: which chat messages this one answers, and which it hands back.</summary>
public sealed class ChatRoutingTests
{
    private const string ProdGroup = "cidProdGroup==";
    private const string StagingGroup = "cidStagingGroup==";

    [Theory]
    [InlineData(null, StagingGroup, "2", " status", true)] // a lone instance answers everything
    [InlineData("prod", ProdGroup, "2", " status", true)] // its own group
    [InlineData("prod", StagingGroup, "2", " status", false)] // another group: handed back
    [InlineData("prod", "cidOneToOne", "1", "status", false)] // a one-to-one chat needs the prefix
    [InlineData("prod", "cidOneToOne", "1", "prod: status", true)]
    [InlineData("prod", StagingGroup, "2", " prod: status shop/checkout-api", true)] // the prefix wins over the group
    [InlineData("prod", ProdGroup, "2", " staging: status", false)] // another instance's prefix, even in prod's group
    [InlineData("prod", ProdGroup, "2", " prod-eu: status", false)]
    [InlineData("prod", "cidOneToOne", "1", "prod：status", true)] // the full-width colon of a Chinese input mode
    [InlineData("prod", ProdGroup, "2", " staging：status", false)]
    public void IsMine_ByPrefixThenGroup(string? instance, string conversation, string type, string text, bool mine)
    {
        var options = new DingTalkOptions { Instance = instance, ChatConversationIds = [ProdGroup] };

        Assert.Equal(mine, ChatRouting.IsMine(Message(conversation, type, text), options));
    }

    [Fact]
    public void IsMine_NoChatGroupsSet_TheNoticeGroupIsItsOwn()
    {
        var options = new DingTalkOptions { Instance = "staging", NoticeConversationId = StagingGroup };

        Assert.True(ChatRouting.IsMine(Message(StagingGroup, "2", " status"), options));
        Assert.False(ChatRouting.IsMine(Message(ProdGroup, "2", " status"), options));
    }

    [Theory]
    [InlineData("prod", " prod: scale shop/checkout-api 2->6 for 30m gala", "scale shop/checkout-api 2->6 for 30m gala")]
    [InlineData("prod", " status", " status")]
    [InlineData(null, "prod: status", "prod: status")] // a lone instance has no prefix to remove
    [InlineData("prod", "prod：status", "status")]
    public void CommandText_RemovesOnlyThisInstancesPrefix(string? instance, string text, string command) =>
        Assert.Equal(command, ChatRouting.CommandText(text, new DingTalkOptions { Instance = instance }));

    private static ChatbotMessage Message(string conversation, string type, string text) =>
        new("msg1", conversation, type, "zhangsan", "Zhang San", "$:LWCP_v1:$u", "$:LWCP_v1:$bot", "robot", "text", text, null, null);
}
