namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>Read-only lookups over the configured tenant (apps, users, groups, templates, webhook robots).</summary>
public sealed class SandboxDirectory(DingTalkSandboxOptions options)
{
    private readonly Dictionary<string, SandboxApp> _appsByKey = options.Apps.ToDictionary(a => a.AppKey, StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxApp> _appsByRobot = options.Apps.ToDictionary(a => a.RobotCode, StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxUser> _usersById = options.Users.ToDictionary(u => u.UserId, StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxUser> _usersByUnionId = options.Users.ToDictionary(u => u.UnionId, StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxGroup> _groups = options.Groups.ToDictionary(g => g.OpenConversationId, StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxCardTemplate> _templates = options.Templates.ToDictionary(t => t.Id, StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxWebhookRobot> _webhooks = options.WebhookRobots.ToDictionary(w => w.AccessToken, StringComparer.Ordinal);

    public DingTalkSandboxOptions Options { get; } = options;

    public IReadOnlyCollection<SandboxApp> Apps => _appsByKey.Values;
    public IReadOnlyCollection<SandboxUser> Users => _usersById.Values;
    public IReadOnlyCollection<SandboxGroup> Groups => _groups.Values;
    public IReadOnlyCollection<SandboxCardTemplate> Templates => _templates.Values;
    public IReadOnlyCollection<SandboxWebhookRobot> WebhookRobots => _webhooks.Values;

    public SandboxApp? FindApp(string? appKey) => appKey is not null && _appsByKey.TryGetValue(appKey, out var app) ? app : null;

    public SandboxApp? FindAppByRobotCode(string? robotCode) =>
        robotCode is not null && _appsByRobot.TryGetValue(robotCode, out var app) ? app : null;

    public SandboxUser? FindUser(string? userId) => userId is not null && _usersById.TryGetValue(userId, out var user) ? user : null;

    /// <summary>Resolves a user id as the caller meant it: <c>userIdType</c> 1 = userId, 2 = unionId.</summary>
    public SandboxUser? FindUser(string? id, int userIdType) =>
        userIdType == 2
            ? id is not null && _usersByUnionId.TryGetValue(id, out var user) ? user : null
            : FindUser(id);

    public SandboxGroup? FindGroup(string? openConversationId) =>
        openConversationId is not null && _groups.TryGetValue(openConversationId, out var group) ? group : null;

    public SandboxCardTemplate? FindTemplate(string? id) => id is not null && _templates.TryGetValue(id, out var t) ? t : null;

    public SandboxWebhookRobot? FindWebhook(string? accessToken) =>
        accessToken is not null && _webhooks.TryGetValue(accessToken, out var robot) ? robot : null;
}
