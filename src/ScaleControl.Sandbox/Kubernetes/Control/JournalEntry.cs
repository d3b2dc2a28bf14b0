namespace ScaleControl.Sandbox.Kubernetes.Control;

/// <summary>
/// One request the sandbox API served. Verb/ApiGroup/Resource are the RBAC terms (e.g. patch, apps,
/// deployments/scale); discovery and other non-resource URLs have an empty Resource. <see cref="ServedStatusCode"/> is set
/// when an injected fault replaced the answer of a request that was served (<see cref="SandboxFault.AfterServing"/>):
/// the status the request really had, e.g. 200 for a write that was applied although the client saw a 500.
/// <see cref="Time"/> is when the answer was done; <see cref="Received"/> when the request arrived, before any work on
/// it (e.g. to tell a client's retry apart from its first attempt however slowly the sandbox ran in between).
/// </summary>
public sealed record JournalEntry(
    DateTimeOffset Time,
    string Method,
    string Path,
    string Query,
    string? ContentType,
    int StatusCode,
    string Verb,
    string ApiGroup,
    string Resource,
    string? Namespace,
    string? Name,
    string? UserAgent,
    int? ServedStatusCode = null,
    DateTimeOffset? Received = null)
{
    /// <summary>The request changed the cluster's state as far as its status tells (a 2xx, answered or not).</summary>
    public bool Served => (ServedStatusCode ?? StatusCode) is >= 200 and < 300;
}
