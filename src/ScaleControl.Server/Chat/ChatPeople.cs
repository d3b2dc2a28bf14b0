using Microsoft.Extensions.Options;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Chat;

/// <summary>
/// Who may command the robot: <c>ScaleControl:Auth:People</c> (DingTalk userId → role and namespaces, the model of
/// API tokens), plus in sandbox mode the emulated group (zhangsan and lisi operators, wangwu a viewer). Authorization
/// is per person, never per group: being in the on-call group grants nothing. Also who may take a change back from a
/// card on a policy without approvers (<see cref="Control.Overrides.UndoService"/>): a tap carries no token.
/// </summary>
public sealed class ChatPeople
{
    private readonly Dictionary<string, Caller> _byUserId = new(StringComparer.Ordinal);

    public ChatPeople(IOptions<AuthOptions> options, ServerModeInfo mode)
    {
        var people = mode.Mode == ServerMode.Sandbox ? SandboxPeople.Concat(options.Value.People) : options.Value.People;
        foreach (var person in people)
        {
            _byUserId[person.UserId] = new Caller(person.UserId, Enum.Parse<Role>(person.Role, ignoreCase: true), person.Namespaces);
        }
    }

    /// <summary>The sandbox's people, matching its demo tokens and the approver rosters of its policies.</summary>
    public static IReadOnlyList<PersonGrant> SandboxPeople { get; } =
    [
        new() { UserId = "zhangsan", Role = "operator", Namespaces = ["shop", "feed", "video"] },
        new() { UserId = "lisi", Role = "operator", Namespaces = ["shop", "feed", "video"] },
        new() { UserId = "wangwu", Role = "viewer" },
    ];

    public Caller? Find(string userId) => _byUserId.GetValueOrDefault(userId);
}
