namespace ScaleControl.DingTalk.Callbacks;

public enum CardAction
{
    Approve,
    Reject,
    ApproveHalf,

    /// <summary>A group card's "Approve all": every pending row.</summary>
    ApproveAll,

    /// <summary>A group card's "Reject all".</summary>
    RejectAll,

    /// <summary>An applied card's "Undo": back to the replicas before the change.</summary>
    Undo,

    /// <summary>A group card's "Undo all": every applied row of the card, back to its replicas before the change.</summary>
    UndoAll,

    /// <summary>A group card's per-row Approve: the row named by the button's <c>row</c> param.</summary>
    ApproveRow,

    /// <summary>A group card's per-row Reject.</summary>
    RejectRow,

    /// <summary>A risky chat command's confirmation card: Confirm.</summary>
    Confirm,
}

/// <summary>
/// Which button was tapped: the template's buttons carry <c>params.action</c> = approve | reject | approve_half | approve_all | reject_all
/// | approve_row | reject_row | confirm | undo | undo_all
/// (samples/dingtalk/approval-card-template.md); their actionIds are the fallback.
/// </summary>
public static class CardActions
{
    public const string ActionParam = "action";

    public static bool TryResolve(CardCallback callback, out CardAction action)
    {
        if (callback.Params.TryGetValue(ActionParam, out var value) && TryParse(value, out action))
        {
            return true;
        }

        foreach (var id in callback.ActionIds)
        {
            if (TryParse(id, out action))
            {
                return true;
            }
        }

        action = default;
        return false;
    }

    private static bool TryParse(string value, out CardAction action)
    {
        switch (value)
        {
            case "approve" or "approve_btn":
                action = CardAction.Approve;
                return true;
            case "reject" or "reject_btn":
                action = CardAction.Reject;
                return true;
            case "approve_half" or "approve_half_btn":
                action = CardAction.ApproveHalf;
                return true;
            case "approve_all" or "approve_all_btn":
                action = CardAction.ApproveAll;
                return true;
            case "reject_all" or "reject_all_btn":
                action = CardAction.RejectAll;
                return true;
            case "undo" or "undo_btn":
                action = CardAction.Undo;
                return true;
            case "undo_all" or "undo_all_btn":
                action = CardAction.UndoAll;
                return true;
            case "approve_row" or "approve_row_btn":
                action = CardAction.ApproveRow;
                return true;
            case "reject_row" or "reject_row_btn":
                action = CardAction.RejectRow;
                return true;
            case "confirm" or "confirm_btn":
                action = CardAction.Confirm;
                return true;
            default:
                action = default;
                return false;
        }
    }
}
