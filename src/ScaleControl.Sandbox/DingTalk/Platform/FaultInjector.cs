using System.Text.Json.Serialization;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>
/// Faults armed by tests and scripts through <c>POST /sandbox/dingtalk/faults</c>. Each fault applies to one DingTalk
/// path (e.g. <c>/v1.0/card/instances/createAndDeliver</c>, <c>/robot/send</c>) or <c>*</c>, for <c>times</c> calls
/// (-1 = until cleared).
/// </summary>
public sealed class FaultInjector
{
    private readonly List<FaultRule> _rules = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules];
            }
        }
    }

    public FaultRule Arm(FaultRule rule)
    {
        lock (_lock)
        {
            _rules.Add(rule);
            return rule;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    /// <summary>Takes (consumes one use of) the first armed fault of one of <paramref name="kinds"/> for <paramref name="api"/>.</summary>
    public FaultRule? Take(string api, params FaultKind[] kinds) => Take(api, r => kinds.Contains(r.Kind));

    public FaultRule? Take(string api, Func<FaultRule, bool> match)
    {
        lock (_lock)
        {
            var index = _rules.FindIndex(r => (r.Api == "*" || string.Equals(r.Api, api, StringComparison.OrdinalIgnoreCase)) && match(r));
            if (index < 0)
            {
                return null;
            }

            var rule = _rules[index];
            if (rule.Times > 0)
            {
                var left = rule with { Times = rule.Times - 1 };
                if (left.Times == 0)
                {
                    _rules.RemoveAt(index);
                }
                else
                {
                    _rules[index] = left;
                }
            }

            return rule;
        }
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>HTTP 500 <c>system.busy</c> (api) / errcode -1 (webhook).</summary>
    SystemBusy,

    /// <summary><c>Forbidden.AccessDenied.QpsLimitForAppkeyAndApi</c> with the configured status.</summary>
    QpsLimit,

    /// <summary><c>Forbidden.AccessDenied.QpsLimitForApi</c> (global per-API limit).</summary>
    QpsLimitForApi,

    /// <summary>403 <c>Forbidden.AccessDenied.ApiCountLimitForOrg</c> (monthly quota).</summary>
    ApiCountLimit,

    /// <summary>Any status/code/message given in the rule.</summary>
    Error,

    /// <summary>createAndDeliver/deliver succeed but the space <c>spaceId</c> (or every space) reports success=false.</summary>
    DeliveryFailure,

    /// <summary>oToMessages/batchSend lists <c>userIds</c> in flowControlledStaffIdList.</summary>
    FlowControl,

    /// <summary>Webhook answers 130101 send too fast.</summary>
    WebhookThrottle,

    /// <summary>The next card callback (api <c>cardCallback</c>) is delivered twice, as a retrying DingTalk would.</summary>
    DuplicateCallback,
}

public sealed record FaultRule(
    string Api,
    FaultKind Kind,
    int Times = 1,
    int? StatusCode = null,
    string? Code = null,
    string? Message = null,
    string? SpaceId = null,
    IReadOnlyList<string>? UserIds = null);
