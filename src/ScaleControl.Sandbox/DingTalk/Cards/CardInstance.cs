using System.Text.Json;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>
/// One card instance (identified per app by the caller's <c>outTrackId</c>): public data, per-user private data
/// (keyed by userId), the spaces it was delivered to and every version it went through.
/// </summary>
public sealed class CardInstance(string appKey, string outTrackId, SandboxCardTemplate template, CardCallbackTarget callback, int userIdType)
{
    private readonly List<CardVersion> _versions = [];
    private readonly List<DeliveredSpace> _spaces = [];
    private readonly List<TapRecord> _taps = [];
    private Dictionary<string, string> _cardData = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _privateData = new(StringComparer.Ordinal);
    private readonly HashSet<string> _spaceModels = new(StringComparer.Ordinal);

    public string AppKey { get; } = appKey;
    public string OutTrackId { get; } = outTrackId;
    public SandboxCardTemplate Template { get; } = template;
    public CardCallbackTarget Callback { get; } = callback;
    public int UserIdType { get; } = userIdType;

    /// <summary>Guards every read-modify-write of this card.</summary>
    public Lock Sync { get; } = new();

    /// <summary>When the first version was recorded (fixed before the card is stored, so readable without the lock).</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    public IReadOnlyDictionary<string, string> CardData => _cardData;
    public IReadOnlyDictionary<string, Dictionary<string, string>> PrivateData => _privateData;
    public IReadOnlyList<DeliveredSpace> Spaces => _spaces;
    public IReadOnlyList<CardVersion> Versions => _versions;
    public IReadOnlyList<TapRecord> Taps => _taps;
    public int Version => _versions.Count;

    public IReadOnlyDictionary<string, string> PrivateDataOf(string userId) =>
        _privateData.TryGetValue(userId, out var data) ? data : new Dictionary<string, string>();

    public void AddSpaces(IEnumerable<DeliveredSpace> spaces)
    {
        _spaces.AddRange(spaces);
        Changed?.Invoke(this);
    }

    /// <summary>Space models appended with <c>PUT /v1.0/card/instances/spaces</c> (names, e.g. imRobotOpenSpaceModel).</summary>
    public IReadOnlyCollection<string> SpaceModels => _spaceModels;

    public void AddSpaceModels(IEnumerable<string> models)
    {
        _spaceModels.UnionWith(models);
        Changed?.Invoke(this);
    }

    public void AddTap(TapRecord tap)
    {
        _taps.Add(tap);
        Changed?.Invoke(this);
    }

    /// <summary>Called under <see cref="Sync"/> after every change once the card is stored (the store keeps it on disk).</summary>
    internal Action<CardInstance>? Changed { get; set; }

    /// <summary>
    /// Applies new data with DingTalk's rules: absent map = untouched; present map = full overwrite unless the
    /// matching <c>…ByKey</c> option is true, then merged key by key. Records a version.
    /// </summary>
    public CardVersion Apply(CardDataChange change, string source, string? actor, DateTimeOffset at)
    {
        if (change.CardData is { } cardData)
        {
            _cardData = change.MergeCardData
                ? Merge(_cardData, cardData)
                : new Dictionary<string, string>(cardData, StringComparer.Ordinal);
        }

        foreach (var (userId, data) in change.PrivateData)
        {
            _privateData[userId] = change.MergePrivateData && _privateData.TryGetValue(userId, out var existing)
                ? Merge(existing, data)
                : new Dictionary<string, string>(data, StringComparer.Ordinal);
        }

        var version = new CardVersion(
            _versions.Count + 1, at, source, actor, new Dictionary<string, string>(_cardData),
            _privateData.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(p.Value)));
        if (_versions.Count == 0)
        {
            CreatedAt = at;
        }

        _versions.Add(version);
        Changed?.Invoke(this);
        return version;
    }

    /// <summary>Everything the card is, as JSON (call under <see cref="Sync"/>).</summary>
    internal string ToJson() => JsonSerializer.Serialize(
        new CardSnapshot(AppKey, OutTrackId, Template.Id, Callback, UserIdType, CreatedAt, _cardData, _privateData, _spaces, [.. _spaceModels], _taps, _versions),
        SandboxJson.Options);

    /// <summary>A card kept by <see cref="ToJson"/>; null when its template is no longer configured.</summary>
    internal static CardInstance? FromJson(string json, SandboxDirectory directory)
    {
        var snapshot = JsonSerializer.Deserialize<CardSnapshot>(json, SandboxJson.Options)!;
        if (directory.FindTemplate(snapshot.TemplateId) is not { } template)
        {
            return null;
        }

        var card = new CardInstance(snapshot.AppKey, snapshot.OutTrackId, template, snapshot.Callback, snapshot.UserIdType) { CreatedAt = snapshot.CreatedAt };
        card._cardData = new Dictionary<string, string>(snapshot.CardData, StringComparer.Ordinal);
        foreach (var (userId, data) in snapshot.PrivateData)
        {
            card._privateData[userId] = new Dictionary<string, string>(data, StringComparer.Ordinal);
        }

        card._spaces.AddRange(snapshot.Spaces);
        card._spaceModels.UnionWith(snapshot.SpaceModels);
        card._taps.AddRange(snapshot.Taps);
        card._versions.AddRange(snapshot.Versions);
        return card;
    }

    private sealed record CardSnapshot(
        string AppKey, string OutTrackId, string TemplateId, CardCallbackTarget Callback, int UserIdType, DateTimeOffset CreatedAt,
        Dictionary<string, string> CardData, Dictionary<string, Dictionary<string, string>> PrivateData, List<DeliveredSpace> Spaces,
        List<string> SpaceModels, List<TapRecord> Taps, List<CardVersion> Versions);

    private static Dictionary<string, string> Merge(Dictionary<string, string> current, IReadOnlyDictionary<string, string> update)
    {
        var merged = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var (key, value) in update)
        {
            merged[key] = value;
        }

        return merged;
    }
}

/// <summary>Where a tap goes: nowhere, the app's Stream connections, or a registered HTTP route.</summary>
public sealed record CardCallbackTarget(string? CallbackType, string? CallbackRouteKey)
{
    public static readonly CardCallbackTarget None = new(null, null);
}

/// <param name="PrivateData">Per userId (already resolved from the request's userIdType).</param>
public sealed record CardDataChange(
    IReadOnlyDictionary<string, string>? CardData,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PrivateData,
    bool MergeCardData,
    bool MergePrivateData);

public sealed record CardVersion(
    int Version,
    DateTimeOffset At,
    string Source,
    string? Actor,
    IReadOnlyDictionary<string, string> CardData,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PrivateData);

public sealed record DeliveredSpace(
    string SpaceType,
    string SpaceId,
    bool Success,
    string? ErrorMsg,
    string CarrierId,
    string? RobotCode,
    IReadOnlyDictionary<string, string> AtUserIds,
    IReadOnlyList<string> Recipients,
    DateTimeOffset At);

/// <summary>One button tap and what became of its callback.</summary>
public sealed record TapRecord(
    DateTimeOffset At, string UserId, IReadOnlyList<string> ActionIds, string? Mode, TapStatus Status, string? Detail, double LatencyMs);

public enum TapStatus
{
    /// <summary>The callback was answered in time and its response changed the card.</summary>
    Updated,

    /// <summary>Answered in time with an empty response: the card stays as it is.</summary>
    NoChange,

    /// <summary>No answer within the callback timeout: the card is not updated.</summary>
    Timeout,

    /// <summary>STREAM card but no connection of the app subscribes the card topic.</summary>
    NoConnection,

    /// <summary>The card was created without callbackType/callbackRouteKey.</summary>
    NoCallback,

    /// <summary>The receiver answered with an error (HTTP status, ACK code) or the request failed.</summary>
    CallbackFailed,

    /// <summary>The answer could not be applied (not JSON, non-string card values, …): the card is not updated.</summary>
    InvalidResponse,
}
