namespace ScaleControl.Core.Policies.Validation;

/// <summary>Every string in a policy has a limit: what is stored is read by every replica, the dashboard and the cards.</summary>
public static class TextLimits
{
    public const int Reason = 1000;
    public const int Query = 4000;
    public const int UserId = 64;
    public const int Approvers = 50;
    public const int ConversationId = 128;
}
