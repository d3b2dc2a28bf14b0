namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The registry behind the sandbox's kubelets: it has every image except those a user names to see a pull fail.
/// A tag in <see cref="MissingTags"/> (<c>kubectl set image deploy/web web=nginx:doesnotexist</c>) is containerd's
/// "not found"; a registry host under the reserved <c>.invalid</c> domain (<c>nonexistent.invalid/app:1</c>) is its
/// DNS failure. The words are containerd 1.7's as the kubelet passes them on (written from memory of real clusters).
/// </summary>
internal static class SimulatedRegistry
{
    /// <summary>Tags the registry does not have, whatever the repository.</summary>
    public static readonly IReadOnlySet<string> MissingTags = new HashSet<string>(["doesnotexist", "missing", "notfound"], StringComparer.Ordinal);

    /// <summary>The image as the kubelet asks for it: with <c>:latest</c> when it names no tag or digest (applyDefaultImageTag).</summary>
    public static string WithDefaultTag(string image)
    {
        var (_, _, tag, digest) = Parse(image);
        return tag is null && digest is null ? image + ":latest" : image;
    }

    /// <summary>containerd's error for an image the registry cannot give, or null when the pull succeeds.</summary>
    public static string? PullError(string image)
    {
        var (host, path, tag, digest) = Parse(image);
        var reference = $"{host}/{path}{(digest is null ? $":{tag ?? "latest"}" : $"@{digest}")}";
        var hostName = host.Split(':')[0];
        if (hostName.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase))
        {
            return $"rpc error: code = Unknown desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": "
                + $"failed to do request: Head \"https://{host}/v2/{path}/manifests/{digest ?? tag ?? "latest"}\": dial tcp: lookup {hostName}: no such host";
        }

        return digest is null && tag is not null && MissingTags.Contains(tag)
            ? $"rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
            : null;
    }

    // As the docker reference grammar normalizes a name: a first part with a dot, a port or "localhost" is a registry
    // host, else the image is on docker.io, under library/ when it has no repository of its own.
    private static (string Host, string Path, string? Tag, string? Digest) Parse(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var digest = at < 0 ? null : image[(at + 1)..];
        var name = at < 0 ? image : image[..at];
        var lastSlash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        string? tag = null;
        if (colon > lastSlash)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : name[..slash];
        if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
        {
            return (first, name[(slash + 1)..], tag, digest);
        }

        return ("docker.io", slash < 0 ? "library/" + name : name, tag, digest);
    }
}
