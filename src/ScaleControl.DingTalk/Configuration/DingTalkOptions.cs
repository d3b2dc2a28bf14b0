using ScaleControl.Core.Policies;

namespace ScaleControl.DingTalk.Configuration;

public enum DingTalkCallbackMode
{
    /// <summary>Card taps arrive over the Stream WebSocket (no public URL needed; the default).</summary>
    Stream,

    /// <summary>Card taps arrive as signed HTTP POSTs to <c>MapDingTalkCardCallback</c>.</summary>
    Http,
}

/// <summary>
/// <c>ScaleControl:DingTalk:*</c>. Secrets may be given inline or as files (Kubernetes secret mounts); they are
/// never logged. Validated at start by <see cref="DingTalkOptionsValidator"/>.
/// </summary>
public sealed class DingTalkOptions
{
    public const string SectionName = "ScaleControl:DingTalk";

    /// <summary>New-style OpenAPI host (or the sandbox emulator's base).</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.dingtalk.com");

    /// <summary>Old-style host; the custom-robot webhook lives here.</summary>
    public Uri OapiBaseUrl { get; set; } = new("https://oapi.dingtalk.com");

    public string AppKey { get; set; } = "";
    public string? AppSecret { get; set; }
    public string? AppSecretFile { get; set; }

    /// <summary>The app robot; for an internal app it equals the AppKey (the default).</summary>
    public string? RobotCode { get; set; }

    public string CardTemplateId { get; set; } = "";

    public DingTalkCallbackMode CallbackMode { get; set; } = DingTalkCallbackMode.Stream;

    /// <summary>Stream mode: connections kept open at once, so a rotating connection never leaves a gap (1–4).</summary>
    public int StreamConnections { get; set; } = 2;

    /// <summary>
    /// Listen to people's messages to the robot (Stream topic <c>/v1.0/im/bot/messages/get</c>) and run their commands.
    /// Needs the robot capability in Stream mode in the developer console; harmless without it.
    /// </summary>
    public bool Chat { get; set; } = true;

    /// <summary>
    /// Names this ScaleControl among several that share one DingTalk app (one per cluster: <c>prod</c>, <c>staging</c>).
    /// Its cards' outTrackIds carry the name; over Stream, DingTalk pushes a tap to any connection of the app, and a
    /// tap on another instance's card is handed back (not acknowledged as handled) so that it reaches its owner.
    /// Lower-case letters, digits and '-', at most 40. Unset: a lone instance (outTrackId "namespace.name").
    /// </summary>
    public string? Instance { get; set; }

    /// <summary>
    /// With <see cref="Instance"/> set: the groups whose unprefixed chat commands this instance answers (default: its
    /// <see cref="NoticeConversationId"/>). Elsewhere a command must start with the instance's name and a colon
    /// (<c>@ScaleControl staging: status</c>); other messages are handed back for another instance (see ChatRouting).
    /// </summary>
    public List<string> ChatConversationIds { get; set; } = [];

    /// <summary>
    /// The messages one person may send the robot a minute (1–600, per replica). Beyond that the first gets a private
    /// answer saying until when nothing is read; the others of that minute are neither read nor answered.
    /// </summary>
    public int ChatMessagesPerMinute { get; set; } = 20;

    /// <summary>HTTP mode: the route key cards are created with and registered under.</summary>
    public string? CallbackRouteKey { get; set; }

    public string? CallbackApiSecret { get; set; }
    public string? CallbackApiSecretFile { get; set; }

    /// <summary>HTTP mode: when set, the route is registered at start (POST /v1.0/card/callbacks/register).</summary>
    public Uri? CallbackPublicUrl { get; set; }

    /// <summary>HTTP callbacks whose signed timestamp is further than this from our clock are rejected.</summary>
    public TimeSpan CallbackMaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Base of the proposal page; the card links to <c>{base}/proposals/{namespace}/{name}</c>.</summary>
    public Uri? DetailsBaseUrl { get; set; }

    /// <summary>IANA time zone of the on-call group: the cards and chat answers show times in it, and chat reads typed clock times in it.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Display names for DingTalk userIds (for @-mentions and "approved by").</summary>
    public Dictionary<string, string> UserNames { get; set; } = [];

    /// <summary>Group for notices whose route names neither a group nor a webhook; none = such notices are dropped.</summary>
    public string? NoticeConversationId { get; set; }

    /// <summary>People DINGed when a dependency fault opens (its living notice goes to <see cref="NoticeConversationId"/>).</summary>
    public List<string> FaultReceivers { get; set; } = [];

    public DingType FaultDingType { get; set; } = DingType.InApp;

    /// <summary>Custom group robot webhooks by name (what <c>NotificationSpec.Webhook</c> refers to).</summary>
    public Dictionary<string, DingTalkWebhookOptions> Webhooks { get; set; } = [];

    /// <summary>Retries for throttling and transient failures (never for <c>param.*</c> errors).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    internal string EffectiveRobotCode => string.IsNullOrWhiteSpace(RobotCode) ? AppKey : RobotCode;
}

/// <summary>A custom group robot ("自定义机器人"): its webhook URL or access token, signing secret and keywords.</summary>
public sealed class DingTalkWebhookOptions
{
    /// <summary>The full webhook URL (<c>…/robot/send?access_token=…</c>); or give <see cref="AccessToken"/>.</summary>
    public Uri? Url { get; set; }

    public string? AccessToken { get; set; }

    /// <summary>The "加签" secret (starts with SEC); optional.</summary>
    public string? Secret { get; set; }

    public string? SecretFile { get; set; }

    /// <summary>Security keywords; a message must contain one, so the first is added when none is present.</summary>
    public List<string> Keywords { get; set; } = [];

    /// <summary>DingTalk throttles a webhook for 10 minutes beyond 20 messages a minute.</summary>
    public int MaxMessagesPerMinute { get; set; } = 20;
}
