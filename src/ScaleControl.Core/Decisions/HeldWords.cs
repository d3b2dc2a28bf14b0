namespace ScaleControl.Core.Decisions;

/// <summary>
/// What holds a decision at the running count, in words for a person (chat's <c>status</c>, the API's <c>held</c>):
/// from <see cref="Decision.HeldBy"/> and <see cref="Decision.UnheldReplicas"/>, which the policy status records too, so
/// the leader (from its live decision) and a follower (from the stored status) say the same. A freeze or a pin is
/// shown by its own field, not here.
/// </summary>
public static class HeldWords
{
    public static string? Of(string? heldBy, int? unheld, int? running)
    {
        var at = running is { } r ? $" at {r}" : "";
        var would = unheld is { } u && u != running ? $": it would go to {u}" : "";
        return heldBy switch
        {
            null or "freeze" or "pin" => null,
            Decision.HeldByFailStatic => $"held{at}: metrics are missing or stale (fail static), so it keeps what runs",
            "changeBudget" => $"held{at} by the change budget (changes per window){would}",
            "cooldown" => $"held{at} by the cooldown after the last change{would}",
            "readiness" => $"held{at} until the pods added last are ready{would}",
            var other => $"held{at} by {other}{would}",
        };
    }
}
