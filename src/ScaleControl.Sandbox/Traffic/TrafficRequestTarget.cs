namespace ScaleControl.Sandbox.Traffic;

/// <summary>The service a traffic request (a hot event, a push campaign) is about: both name it the same way.</summary>
internal static class TrafficRequestTarget
{
    /// <summary>Kubernetes' limits: a namespace is a DNS label, a workload a DNS subdomain (an error must not echo a megabyte).</summary>
    private const int MaxNamespace = 63, MaxWorkload = 253;

    /// <summary>Adds the field errors of a missing or unknown <c>namespace</c>/<c>workload</c> to <paramref name="errors"/>.</summary>
    public static void Validate(Dictionary<string, string[]> errors, string? ns, string? workload, Func<string, string, bool> serviceExists)
    {
        if (string.IsNullOrWhiteSpace(ns))
            errors["namespace"] = ["namespace is required"];
        else if (ns.Length > MaxNamespace)
            errors["namespace"] = [$"namespace must be at most {MaxNamespace} characters"];
        if (string.IsNullOrWhiteSpace(workload))
            errors["workload"] = ["workload is required"];
        else if (workload.Length > MaxWorkload)
            errors["workload"] = [$"workload must be at most {MaxWorkload} characters"];
        if (errors.Count == 0 && !serviceExists(ns!, workload!))
            errors["workload"] = [$"the simulator has no service {ns}/{workload}"];
    }
}
