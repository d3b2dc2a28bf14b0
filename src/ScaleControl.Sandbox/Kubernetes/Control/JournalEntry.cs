namespace ScaleControl.Sandbox.Kubernetes.Control;

/// <summary>
/// One request the sandbox API served. Verb/ApiGroup/Resource are the RBAC terms (e.g. patch, apps,
/// deployments/scale); discovery and other non-resource URLs have an empty Resource.
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
    string? UserAgent);
