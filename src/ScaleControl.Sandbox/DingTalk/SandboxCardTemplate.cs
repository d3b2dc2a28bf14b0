namespace ScaleControl.Sandbox.DingTalk;

/// <summary>
/// A card template as built in DingTalk's card builder: declared variables (with the type the renderer expects)
/// and "回传请求" buttons whose visibility depends on the card data.
/// </summary>
public sealed record SandboxCardTemplate(
    string Id,
    string Name,
    bool Published,
    IReadOnlyList<TemplateVariable> Variables,
    IReadOnlyList<TemplateVariable> PrivateVariables,
    IReadOnlyList<TemplateButton> Buttons)
{
    public const string ScaleApprovalId = "scalecontrol-approval.schema";
    public const string DraftId = "scalecontrol-draft.schema";

    /// <summary>
    /// The scale-approval template. Buttons show while <c>status</c> is <c>pending</c>; "Approve half" also needs
    /// <c>halfStepTo</c>; "Undo" shows on an applied card with <c>undoTo</c>, a group card's "Undo all" with <c>undoAll</c>. Private variable <c>privateMessage</c> is what one user alone sees (e.g. "you are not an approver").
    /// </summary>
    public static SandboxCardTemplate ScaleApproval() => new(
        ScaleApprovalId,
        "ScaleControl scale approval",
        Published: true,
        Variables:
        [
            new("title", TemplateVariableType.String),
            new("workload", TemplateVariableType.String),
            new("namespace", TemplateVariableType.String),
            new("replicasFrom", TemplateVariableType.Number),
            new("replicasTo", TemplateVariableType.Number),
            new("halfStepTo", TemplateVariableType.Number),
            new("reason", TemplateVariableType.Markdown),
            new("currentTraffic", TemplateVariableType.String),
            new("predictedTraffic", TemplateVariableType.String),
            new("perPodTarget", TemplateVariableType.String),
            new("costDelta", TemplateVariableType.String),
            new("room", TemplateVariableType.String),
            new("onCall", TemplateVariableType.String),
            new("expiresAt", TemplateVariableType.String),
            new("status", TemplateVariableType.String),
            new("statusText", TemplateVariableType.String),
            new("decidedBy", TemplateVariableType.String),
            new("decidedAt", TemplateVariableType.String),
            new("result", TemplateVariableType.Markdown),
            new("updated", TemplateVariableType.String),
            new("group", TemplateVariableType.String),
            new("rows", TemplateVariableType.Markdown),
            new("rowItems", TemplateVariableType.Array),
            new("allSeen", TemplateVariableType.String),
            new("detailUrl", TemplateVariableType.String),
            new("undoTo", TemplateVariableType.Number),
            new("undoAll", TemplateVariableType.Number),
        ],
        PrivateVariables: [new("privateMessage", TemplateVariableType.String)],
        Buttons:
        [
            new("approve", "Approve", "primary", new Dictionary<string, string> { ["action"] = "approve", ["replicas"] = "${replicasTo}" },
                [new("status", "pending")]),
            new("approve_half", "Approve half (→ ${halfStepTo})", "default", new Dictionary<string, string> { ["action"] = "approve_half", ["replicas"] = "${halfStepTo}" },
                [new("status", "pending"), new("halfStepTo", null)]),
            new("reject", "Reject", "danger", new Dictionary<string, string> { ["action"] = "reject" },
                [new("status", "pending")]),
            new("approve_all", "Approve all", "primary", new Dictionary<string, string> { ["action"] = "approve_all", ["seen"] = "${allSeen}" },
                [new("status", "group_pending")]),
            new("reject_all", "Reject all", "danger", new Dictionary<string, string> { ["action"] = "reject_all" },
                [new("status", "group_pending")]),
            new("undo", "Undo (→ ${undoTo})", "default", new Dictionary<string, string> { ["action"] = "undo" },
                [new("status", "applied"), new("undoTo", null)]),
            new("undo_all", "Undo all", "default", new Dictionary<string, string> { ["action"] = "undo_all" },
                [new("undoAll", null)]),

            new("confirm", "Confirm", "primary", new Dictionary<string, string> { ["action"] = "confirm" },
                [new("status", "confirm_pending")]),

            // A loop over rowItems (the builder's 循环 container): a pair of buttons beside each row still pending.
            new("approve_row", "Approve", "primary", new Dictionary<string, string> { ["action"] = "approve_row", ["row"] = "${item.key}", ["replicas"] = "${item.to}" },
                [new("item.status", "pending")], ForEach: "rowItems"),
            new("reject_row", "Reject", "danger", new Dictionary<string, string> { ["action"] = "reject_row", ["row"] = "${item.key}" },
                [new("item.status", "pending")], ForEach: "rowItems"),
        ]);

    /// <summary>A template still in the builder (never published): createAndDeliver answers param.templateUnpublished.</summary>
    public static SandboxCardTemplate Draft() => ScaleApproval() with { Id = DraftId, Name = "ScaleControl draft", Published = false };
}

public enum TemplateVariableType
{
    String,
    Number,
    Boolean,
    Markdown,
    Object,
    Array,
}

public sealed record TemplateVariable(string Name, TemplateVariableType Type);

/// <param name="Text">Label; <c>${variable}</c> is replaced from the public card data.</param>
/// <param name="ShowWhen">All must hold for the button to be shown.</param>
/// <param name="ForEach">
/// An Array variable the button repeats over (the builder's loop container): one button per element, shown when
/// <paramref name="ShowWhen"/> holds for it; <c>${item.field}</c> and <c>item.field</c> conditions read the element.
/// </param>
public sealed record TemplateButton(
    string ActionId, string Text, string Style, IReadOnlyDictionary<string, string> Params, IReadOnlyList<ButtonCondition> ShowWhen, string? ForEach = null);

/// <summary>Public variable <paramref name="Variable"/> equals <paramref name="EqualsValue"/> (case-insensitive), or is non-empty when null.</summary>
public sealed record ButtonCondition(string Variable, string? EqualsValue);
