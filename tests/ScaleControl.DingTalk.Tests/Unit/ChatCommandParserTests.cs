using ScaleControl.Core.Commands;
using ScaleControl.DingTalk.Chat;

namespace ScaleControl.DingTalk.Tests.Unit;

public sealed class ChatCommandParserTests
{
    public static TheoryData<string, ChatCommand> Valid() => new()
    {
        { " help", new HelpCommand() },
        { "", new HelpCommand() },
        { "WHOAMI", new WhoAmICommand() },
        { "/status", new StatusCommand(null, null) },
        { "status shop", new StatusCommand("shop", null) },
        { "status shop/checkout-api", new StatusCommand("shop", "checkout-api") },
        { "proposals", new ProposalsCommand() },
        { "approve shop/checkout-api-20261204-1", new ApproveCommand("shop", "checkout-api-20261204-1") },
        { "reject shop/checkout-api too early", new RejectCommand("shop", "checkout-api", "too early") },
        { "approve all feed/feed-api", new ApproveCommand("feed", "feed-api", AllRows: true) },
        { "Reject ALL feed/feed-api bot traffic", new RejectCommand("feed", "feed-api", "bot traffic", AllRows: true) },
        { "scale shop/checkout-api 2->6 for 30m gala", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala") },
        { "scale shop/checkout-api 2 -> 6 for 1h30m", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(90), "chat") },
        { "scale shop/checkout-api 6→2 for 1d quiet night", new ScaleCommand("shop", "checkout-api", 6, 2, TimeSpan.FromDays(1), "quiet night") },
        { "scale shop/checkout-api to 10 for 30m storm", new ScaleCommand("shop", "checkout-api", null, 10, TimeSpan.FromMinutes(30), "storm") },
        { "scale shop/checkout-api 10 for 1h", new ScaleCommand("shop", "checkout-api", null, 10, TimeSpan.FromHours(1), "chat") },
        { "freeze shop/checkout-api for 2h release", new FreezeCommand("shop", "checkout-api", TimeSpan.FromHours(2), "release") },
        { "freeze shop/* for 2h release", new FreezeCommand("shop", null, TimeSpan.FromHours(2), "release") },
        { "freeze shop/checkout-api for 2h release\r\n", new FreezeCommand("shop", "checkout-api", TimeSpan.FromHours(2), "release") },
        { "unfreeze shop/checkout-api", new UnfreezeCommand("shop", "checkout-api") },
        { "unfreeze shop/*", new UnfreezeCommand("shop", null) },
        { "unpin shop/checkout-api", new UnpinCommand("shop", "checkout-api") },
        { "history shop/checkout-api", new HistoryCommand("shop", "checkout-api") },
        { "undo shop/checkout-api", new UndoCommand("shop", "checkout-api", null) },
        { "undo shop/checkout-api-20261204-1 event over", new UndoCommand("shop", "checkout-api-20261204-1", "event over") },
        { "confirm k7q2ab", new ConfirmCommand("K7Q2AB") },

        // As phones type it: a Chinese input mode's full-width letters, digits, slash, arrow and space; other people's
        // @-mentions before, after or inside the command (DingTalk removes only the robot's own).
        { "ｓｔａｔｕｓ　shop／checkout-api", new StatusCommand("shop", "checkout-api") },
        { "scale shop/checkout-api ２－＞６ for ３０ｍ gala", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala") },
        { "scale shop/checkout-api 2-》6 for 30m gala", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala") },
        { "scale shop/checkout-api 2 ->6 for 30m gala", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala") },
        { "scale shop/checkout-api 2-> 6 for 30m gala for all", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala for all") },
        { "scale shop/checkout-api ２　－＞ ６ FOR ３０ｍ gala", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala") },
        { "@lisi  approve shop/checkout-api", new ApproveCommand("shop", "checkout-api") },
        { " approve shop/checkout-api @lisi", new ApproveCommand("shop", "checkout-api") },
        { " reject @lisi shop/checkout-api too early", new RejectCommand("shop", "checkout-api", "too early") },
        {
            "prepare shop/checkout-api at 20：00 expect 3x for 20m reason push",
            new PrepareCommand("shop", "checkout-api", new EventTime { Clock = new TimeOnly(20, 0) }, TimeSpan.FromMinutes(20), 3, null, "push")
        },
        {
            "prepare shop/checkout-api at 20:00 expect 3x for 20m reason push to 30M users",
            new PrepareCommand("shop", "checkout-api", new EventTime { Clock = new TimeOnly(20, 0) }, TimeSpan.FromMinutes(20), 3, null, "push to 30M users")
        },
        {
            "Prepare shop/checkout-api for 1h replicas 30 at +30m reason gala",
            new PrepareCommand("shop", "checkout-api", new EventTime { After = TimeSpan.FromMinutes(30) }, TimeSpan.FromHours(1), null, 30, "gala")
        },
        // A look-ahead beyond a pin's 7 days: the service's own 30-day limit decides (it was "time `+10d` must read like …").
        {
            "prepare shop/checkout-api at +10d replicas 30 for 1h reason launch",
            new PrepareCommand("shop", "checkout-api", new EventTime { After = TimeSpan.FromDays(10) }, TimeSpan.FromHours(1), null, 30, "launch")
        },
        {
            "prepare shop/checkout-api at 2026-12-04T20:00+08:00 expect 1.5x for 20m reason push",
            new PrepareCommand("shop", "checkout-api", new EventTime { Absolute = new DateTimeOffset(2026, 12, 4, 20, 0, 0, TimeSpan.FromHours(8)) }, TimeSpan.FromMinutes(20), 1.5, null, "push")
        },

        // A date and time without an offset is in the chat's time zone (resolved when the command runs).
        {
            "prepare shop/checkout-api at 2026-12-04 20:00 expect 3x for 20m reason push",
            new PrepareCommand("shop", "checkout-api", new EventTime { Local = new DateTime(2026, 12, 4, 20, 0, 0) }, TimeSpan.FromMinutes(20), 3, null, "push")
        },
        {
            "prepare shop/checkout-api at 2026-12-04T8:30 replicas 30 for 20m reason push",
            new PrepareCommand("shop", "checkout-api", new EventTime { Local = new DateTime(2026, 12, 4, 8, 30, 0) }, TimeSpan.FromMinutes(20), null, 30, "push")
        },
        { "unprepare shop/checkout-api event-20261204-1200", new UnprepareCommand("shop", "checkout-api", "event-20261204-1200") },
        { "UNPREPARE shop/checkout-api", new UnprepareCommand("shop", "checkout-api", null) },
        { "unprepare ｓｈｏｐ／checkout-api @lisi", new UnprepareCommand("shop", "checkout-api", null) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_Valid(string text, ChatCommand expected)
    {
        var parsed = ChatCommandParser.Parse(text);

        Assert.Null(parsed.Error);
        Assert.Equal(expected, parsed.Command);
    }

    [Theory]
    [InlineData("stauts", "Did you mean `status")]
    [InlineData("scael shop/a 1->2 for 1m", "Did you mean `scale")]
    [InlineData("deploy everything", "Send `help`")]
    [InlineData("pin shop/checkout-api 20 for 30m storm", "a pin is `scale <ns/workload> <from>-><to> for <duration> [reason]`")]
    [InlineData("undo", "usage: `undo")]
    [InlineData("scale shop/checkout-api 2-6 for 30m", "`<from>-><to>`")]
    [InlineData("scale shop/checkout-api 2->6 for 8d", "at most 7 days")]
    [InlineData("scale shop/checkout-api 2->6 for soon", "duration `soon`")]
    [InlineData("scale checkout-api 2->6 for 30m", "not `namespace/name`")]
    [InlineData("scale Shop/Checkout 2->6 for 30m", "not `namespace/name`")]
    [InlineData("scale shop/checkout-api 2->6", "usage: `scale")]
    [InlineData("scale shop/checkout-api 2 6 for 30m", "replicas `2 6` must read `<from>-><to>`")]
    [InlineData("scale shop/checkout-api for 30m gala", "usage: `scale")]
    [InlineData("scale shop/checkout-api 2->6 for", "usage: `scale")]
    [InlineData("scale shop/checkout-api 5->0 for 30m", "scaling to 0 is not supported")]
    [InlineData("scale shop/checkout-api to 0 for 30m", "scaling to 0 is not supported")]
    [InlineData("scale shop/checkout-api to 99999 for 30m", "the target must be 1 to 10000 replicas")]
    [InlineData("scale shop/checkout-api up to 6 for 30m", "replicas `up to 6` must read `<from>-><to>`")]
    [InlineData("scale shop/checkout-api 6->99999 for 30m", "`6->99999`: the target must be 1 to 10000 replicas (and the running count at most 10000)")]
    [InlineData("scale shop/checkout-api 6->12345678901 for 30m", "the target must be 1 to 10000 replicas")]
    [InlineData("approve", "usage: `approve")]
    [InlineData("approve all", "usage: `approve [all] <ns/proposal|ns/workload>`")]
    [InlineData("approve all feed/a feed/b", "usage: `approve")]
    [InlineData("unpin shop/a extra", "usage: `unpin")]
    [InlineData("freeze shop/a for 1h", "usage: `freeze")]
    [InlineData("prepair shop/a at 20:00 expect 3x for 20m reason x", "Did you mean `prepare")]
    [InlineData("prepare shop/a", "usage: `prepare")]
    [InlineData("prepare shop/a at 25:00 expect 3x for 20m reason x", "time `25:00`")]
    [InlineData("prepare shop/a at 2026-12-04T20:00:00 expect 3x for 20m reason x", "time `2026-12-04T20:00:00`")]
    [InlineData("prepare shop/a at 2026-12-04 25:00 expect 3x for 20m reason x", "time `2026-12-04T25:00`")]
    [InlineData("prepare shop/a at 2026-02-30 20:00 expect 3x for 20m reason x", "time `2026-02-30T20:00`")]
    [InlineData("unprepare", "usage: `unprepare <ns/workload> [event]`")]
    [InlineData("unprepare shop/a event-1 now", "usage: `unprepare")]
    [InlineData("unprepare checkout-api event-1", "not `namespace/name`")]
    [InlineData("unprepare shop/a Event_1", "event `Event_1` is not an event name")]
    [InlineData("unprepar shop/a", "Did you mean `unprepare")]
    [InlineData("prepare shop/a at 20:00 expect 3x replicas 4 for 20m reason x", "exactly one of")]
    [InlineData("prepare shop/a at 20:00 expect 300x for 20m reason x", "`expect 300x`")]
    [InlineData("prepare shop/a at 20:00 expect 3x for 20m because x", "unknown word `because`")]
    [InlineData("prepare shop/a at 20:00 expect 3x for 20m soon x", "unknown word `soon`")]
    [InlineData("prepare shop/a at 20:00 expect 3x for 20m reason", "say why")]
    [InlineData("freeze shop/a for 30m evil\u202etxt", "plain text")]
    [InlineData("freeze shop/a for 30m \u001b[31mred", "plain text")]
    [InlineData("reject shop/a no\u0000pe", "plain text")]
    [InlineData("prepare shop/a at 20:00 expect 3x for 20m reason a\u2066b", "plain text")]
    // A bidi mark reorders the reason on the card one character at a time (1\u200F0); it passed the check.
    [InlineData("freeze shop/a for 30m storm \u200F10\u200F", "plain text")]
    [InlineData("reject shop/a no\u200Eway", "plain text")]
    // A keyword typed twice (a correction mid-message, or a paste) was read as its last value, silently: 3x, not 2x.
    [InlineData("prepare shop/a at 20:00 expect 2x expect 3x for 20m reason x", "`expect` is given twice")]
    [InlineData("prepare shop/a at +1h at +2h expect 2x for 20m reason x", "`at` is given twice")]
    [InlineData("prepare shop/a at 20:00 for 20m expect 2x for 2h reason x", "`for` is given twice")]
    [InlineData("prepare shop/a at 20:00 replicas 4 replicas 40 for 20m reason x", "`replicas` is given twice")]
    public void Parse_Invalid_SaysWhatWasExpected(string text, string expected)
    {
        var parsed = ChatCommandParser.Parse(text);

        Assert.Null(parsed.Command);
        Assert.Contains(expected, parsed.Error, StringComparison.Ordinal);
    }

    // Each refusal echoes what was typed in a code span; a typed backtick closed the span early and the link after it
    // rendered in the robot's answer (live: "unknown command `s`[x](http://e.co)``" showed a link to e.co).
    [Theory]
    [InlineData("s`[x](http://e.co)`")]
    [InlineData("status shop/a`[x](http://e.co)`")]
    [InlineData("scale shop/checkout-api 2`[x](http://e.co)` for 30m")]
    [InlineData("scale shop/checkout-api 2->4 for 3`[x](http://e.co)`")]
    [InlineData("unprepare shop/checkout-api ev`[x](http://e.co)`")]
    [InlineData("prepare shop/a at 2`[x](http://e.co)` expect 3x for 20m reason r")]
    [InlineData("prepare shop/a at 20:00 expect 3`[x](http://e.co)` for 20m reason r")]
    public void Parse_Invalid_EchoesTypedBackticksInsideTheirCodeSpan(string text)
    {
        var error = ChatCommandParser.Parse(text).Error;

        Assert.NotNull(error);
        var outsideCode = System.Text.RegularExpressions.Regex.Replace(error, "`[^`]*`", "");
        Assert.DoesNotContain("](", outsideCode, StringComparison.Ordinal);
        Assert.Contains("｀［x］(http://e.co)｀", error, StringComparison.Ordinal); // still shows what was typed
    }

    /// <summary>
    /// Live: a duration of 120 parts of 100000d (840 characters, within the message limit) overflowed TimeSpan while it
    /// was summed; the parser threw and the sender got no answer at all.
    /// </summary>
    [Theory]
    [InlineData("scale shop/a 2->6 for {0} storm", "duration `")]
    [InlineData("freeze shop/a for {0} storm", "duration `")]
    [InlineData("prepare shop/a at +{0} expect 2x for 20m reason push", "time `+")]
    [InlineData("prepare shop/a at +1h expect 2x for {0} reason push", "duration `")]
    public void Parse_ADurationOfManyHugeParts_IsRefusedWithAnAnswer_NotAnOverflow(string template, string expected)
    {
        var huge = string.Concat(Enumerable.Repeat("100000d", 120));

        var parsed = ChatCommandParser.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, huge));

        Assert.Null(parsed.Command);
        Assert.Contains(expected, parsed.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Characters that show nothing, pasted with a command from a web page or a document: <c>status\u200B</c> read as an
    /// unknown command that looked like <c>status</c>, and a reason kept them, hidden on the card.
    /// </summary>
    [Fact]
    public void Parse_InvisibleCharacters_AreDropped_AndLineSeparatorsAreBreaks()
    {
        Assert.Equal(new StatusCommand("shop", "checkout-api"), ChatCommandParser.Parse("status\u200B shop/checkout\u00AD-api").Command);
        Assert.Equal(new FreezeCommand("shop", "a", TimeSpan.FromMinutes(30), "deploy v2"),
            ChatCommandParser.Parse("\uFEFFfreeze shop/a for 30m deploy\u2060\u2028v2").Command);
    }

    /// <summary>
    /// Chinese input mode types ，and 。 after a word: <c>30m，大促</c> was read as the duration <c>30m,大促</c> and
    /// <c>shop/checkout-api。</c> as no workload. After Chinese text, inside a reason, they stay (folded as ever).
    /// </summary>
    [Fact]
    public void Parse_ChineseCommaOrFullStopAfterACommandWord_EndsTheWord_ReasonKeepsItsOwn()
    {
        Assert.Equal(new FreezeCommand("shop", "checkout-api", TimeSpan.FromMinutes(30), "大促,请勿扩容"), // full-width forms fold to ASCII, the reason too
            ChatCommandParser.Parse("freeze shop/checkout-api for 30m，大促，请勿扩容").Command);
        Assert.Equal(new UnpinCommand("shop", "checkout-api"), ChatCommandParser.Parse("unpin shop/checkout-api。").Command);
        Assert.Equal(new ScaleCommand("shop", "checkout-api", 2, 3, TimeSpan.FromMinutes(10), "storm"),
            ChatCommandParser.Parse("scale shop/checkout-api 2->3 for 10m；storm").Command);
    }

    /// <summary>
    /// Several commands pasted into one message were read as the first, the others as its reason: shop/b stayed pending
    /// while its sender believed it rejected. A line that is a whole command by itself refuses the message; a reason's
    /// own lines stay part of it.
    /// </summary>
    [Theory]
    [InlineData("reject shop/a too early\nreject shop/b", 2, "reject shop/b")]
    [InlineData("freeze shop/a for 1h migration\n\n  /freeze shop/b for 1h migration", 3, "/freeze shop/b for 1h migration")]
    [InlineData("reject shop/a\u2028unpin shop/b", 2, "unpin shop/b")]
    [InlineData("scale shop/a 2->4 for 30m gala\nｓｔａｔｕｓ shop/a", 2, "ｓｔａｔｕｓ shop/a")]
    public void Parse_ACommandOnALaterLine_IsRefused_NothingIsReadAsTheFirstsReason(string text, int line, string shown)
    {
        var parsed = ChatCommandParser.Parse(text);

        Assert.Null(parsed.Command);
        Assert.Equal($"one command per message: line {line} (`{shown}`) is a command of its own, and would have been read as part of the first (a reason). " +
            "Nothing was done; send each command in a message of its own.", parsed.Error);
    }

    [Fact]
    public void Parse_AReasonsOwnLines_StayPartOfIt()
    {
        Assert.Equal(new FreezeCommand("shop", "a", TimeSpan.FromHours(1), "migration status page is down help wanted"),
            ChatCommandParser.Parse("freeze shop/a for 1h migration\nstatus page is down\nhelp wanted").Command);
    }

    [Fact]
    public void Parse_TooLongOrTooLongReason_IsRefused()
    {
        Assert.Contains("too long", ChatCommandParser.Parse(new string('a', ChatCommandParser.MaxTextLength + 1)).Error, StringComparison.Ordinal);
        Assert.Contains("reason too long", ChatCommandParser.Parse("reject shop/a " + new string('x', 501)).Error, StringComparison.Ordinal);
    }
}
