namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>
/// What a request asks to do, as the apiserver's authorizer.Attributes: a verb on a resource (group, resource,
/// subresource, namespace, name) or, for a non-resource request, a verb on a path.
/// </summary>
internal sealed record AccessAttributes(
    string Verb, string Group = "", string Resource = "", string Subresource = "", string Namespace = "", string Name = "", string? Path = null)
{
    public bool IsResourceRequest => Path is null;

    /// <summary>The RBAC resource, e.g. <c>deployments/scale</c>.</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    /// <summary>The message of the apiserver's Forbidden answer (responsewriters.forbiddenMessage).</summary>
    public string ForbiddenMessage(UserInfo user) =>
        !IsResourceRequest ? $"User \"{user.Name}\" cannot {Verb} path \"{Path}\""
        : Namespace.Length > 0 ? $"User \"{user.Name}\" cannot {Verb} resource \"{CombinedResource}\" in API group \"{Group}\" in the namespace \"{Namespace}\""
        : $"User \"{user.Name}\" cannot {Verb} resource \"{CombinedResource}\" in API group \"{Group}\" at the cluster scope";
}
