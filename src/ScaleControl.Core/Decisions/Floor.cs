namespace ScaleControl.Core.Decisions;

/// <summary>A replica floor that announced traffic asks for, with what bounds the decision and the reason text.</summary>
public readonly record struct Floor(int Replicas, string BoundBy, string Reason)
{
    /// <summary>The name after <paramref name="prefix"/> in a decision's bound-by ("event:gala" → "gala"); null when another bound it.</summary>
    public static string? NameAfter(string prefix, string? boundBy) =>
        boundBy is not null && boundBy.StartsWith(prefix, StringComparison.Ordinal) ? boundBy[prefix.Length..] : null;
}
