namespace ScaleControl.Sandbox.Traffic;

/// <summary>The service a traffic request (a hot event, a push campaign) is about: both name it the same way.</summary>
internal static class TrafficRequestTarget
{
    /// <summary>Adds the field errors of a missing or unknown <c>namespace</c>/<c>workload</c> to <paramref name="errors"/>.</summary>
    public static void Validate(Dictionary<string, string[]> errors, string? ns, string? workload, Func<string, string, bool> serviceExists)
    {
        if (string.IsNullOrWhiteSpace(ns))
            errors["namespace"] = ["namespace is required"];
        if (string.IsNullOrWhiteSpace(workload))
            errors["workload"] = ["workload is required"];
        if (errors.Count == 0 && !serviceExists(ns!, workload!))
            errors["workload"] = [$"the simulator has no service {ns}/{workload}"];
    }
}
