namespace ScaleControl.Sandbox.DingTalk;

/// <summary>
/// The emulated DingTalk tenant: apps, people, groups, card templates, webhook robots and the platform limits.
/// <see cref="CreateDefault"/> is the sandbox world: one app, zhangsan/lisi/wangwu, and three groups with the robot —
/// the general SRE on-call group (everyone; the sandbox's policies send their cards there) and the shop and feed teams'
/// on-call groups, each with its own members (wangwu is not in the shop group, zhangsan not in the feed group).
/// </summary>
public sealed class DingTalkSandboxOptions
{
    public List<SandboxApp> Apps { get; set; } = [];
    public List<SandboxUser> Users { get; set; } = [];
    public List<SandboxGroup> Groups { get; set; } = [];
    public List<SandboxCardTemplate> Templates { get; set; } = [];

    /// <summary>Where cards and messages are kept across restarts (<see cref="Platform.EmulatorStateFile"/>); null: memory only.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Start with no kept cards or messages.</summary>
    public bool ResetState { get; set; }
    public List<SandboxWebhookRobot> WebhookRobots { get; set; } = [];

    /// <summary>Callback routes known before anyone calls /v1.0/card/callbacks/register.</summary>
    public List<SandboxCallbackRoute> CallbackRoutes { get; set; } = [];

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(7200);
    public TimeSpan TicketLifetime { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How long DingTalk waits for a card callback answer (Stream ACK or HTTP response).</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Time between a SYSTEM <c>disconnect</c> frame and the socket being closed.</summary>
    public TimeSpan DisconnectGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Un-ACKed EVENT frames are pushed again after this delay.</summary>
    public TimeSpan EventRedeliveryInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Robot chat messages nobody ACKed are pushed again after this delay (the SDK comment: within about 60 s).</summary>
    public TimeSpan RobotMessageRedeliveryInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Pushes of one robot chat message before it is given up.</summary>
    public int RobotMessageMaxPushes { get; set; } = 3;

    /// <summary><c>sessionWebhookExpiredTime − createAt</c>: about 90 minutes on DingTalk (5 400 149 ms in a captured push).</summary>
    public TimeSpan SessionWebhookLifetime { get; set; } = TimeSpan.FromMinutes(90);

    /// <summary>Interval of SYSTEM <c>ping</c> frames; <see cref="TimeSpan.Zero"/> sends pings only on request.</summary>
    public TimeSpan StreamPingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per-app per-API calls per second (standard edition: 20).</summary>
    public int QpsLimitPerAppAndApi { get; set; } = 20;

    /// <summary>HTTP status of the QPS-limit error (403 reported by third-party clients).</summary>
    public int QpsLimitStatusCode { get; set; } = 403;

    /// <summary>
    /// Register with forceUpdate=false on an existing key: true returns the existing registration with 200 (doc prose),
    /// false answers HTTP 500 <c>param.callbackRouteKeyExist</c> (doc error table).
    /// </summary>
    public bool RegisterExistingRouteReturnsExisting { get; set; } = true;

    /// <summary>DING needs the Professional/Exclusive edition; <c>Standard</c> makes every DING fail with ding.serverquota.insufficient.</summary>
    public string Edition { get; set; } = "Professional";

    /// <summary>Remaining SMS/phone DING quota (in-app DINGs need none).</summary>
    public int SmsAndCallDingQuota { get; set; } = 100;

    public int WebhookMessagesPerMinute { get; set; } = 20;
    public TimeSpan WebhookThrottleBlock { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first group: where the sandbox's policies send cards and notices, and the phone's default.</summary>
    public const string GeneralGroup = "cidSandboxOnCall0001==";
    public const string ShopGroup = "cidSandboxShopOnCall1==";
    public const string FeedGroup = "cidSandboxFeedOnCall1==";

    public static DingTalkSandboxOptions CreateDefault() => new()
    {
        Apps = [new SandboxApp("dingsandboxappkey001", "sandbox-app-secret-0123456789abcdef", "dingsandboxcorp001", "dingsandboxappkey001", "ScaleControl")],
        Users =
        [
            new SandboxUser("zhangsan", "union-zhangsan", "张三 Zhang San", "13800000001"),
            new SandboxUser("lisi", "union-lisi", "李四 Li Si", "13800000002"),
            new SandboxUser("wangwu", "union-wangwu", "王五 Wang Wu", "13800000003"),
        ],
        Groups =
        [
            new SandboxGroup(GeneralGroup, "SRE on-call", ["zhangsan", "lisi", "wangwu"], ["dingsandboxappkey001"]),
            new SandboxGroup(ShopGroup, "Shop on-call", ["zhangsan", "lisi"], ["dingsandboxappkey001"]),
            new SandboxGroup(FeedGroup, "Feed on-call", ["lisi", "wangwu"], ["dingsandboxappkey001"]),
        ],
        Templates = [SandboxCardTemplate.ScaleApproval(), SandboxCardTemplate.Draft()],
        WebhookRobots =
        [
            new SandboxWebhookRobot("sandbox-webhook-token-0001", "SEC0123456789sandboxwebhooksecret", ["ScaleControl"], [], GeneralGroup),
        ],
    };
}

/// <param name="Name">The robot's display name: people @-mention it as <c>@Name</c>.</param>
public sealed record SandboxApp(string AppKey, string AppSecret, string CorpId, string RobotCode, string Name)
{
    /// <summary>The unified app id DingTalk puts in Stream headers (<c>appId</c>, <c>eventUnifiedAppId</c>): a UUID, not the AppKey.</summary>
    public string UnifiedAppId { get; init; } = DeriveUuid(AppKey);

    private static string DeriveUuid(string seed) =>
        new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed))[..16]).ToString("D");
}

public sealed record SandboxUser(string UserId, string UnionId, string Name, string Mobile);

/// <param name="Robots">robotCodes installed in the group.</param>
public sealed record SandboxGroup(string OpenConversationId, string Name, IReadOnlyList<string> Members, IReadOnlyList<string> Robots);

/// <param name="Keywords">The message must contain at least one of them (none = no keyword check).</param>
/// <param name="IpAllowList">IPs or CIDRs (none = no IP check).</param>
/// <param name="OpenConversationId">The group the robot posts into (for the phone page).</param>
public sealed record SandboxWebhookRobot(
    string AccessToken, string? Secret, IReadOnlyList<string> Keywords, IReadOnlyList<string> IpAllowList, string OpenConversationId);

public sealed record SandboxCallbackRoute(string AppKey, string CallbackRouteKey, string CallbackUrl, string? ApiSecret);
