using Microsoft.AspNetCore.Http;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// Who makes a non-apply write, for <c>metadata.managedFields</c> (operation Update): the request's
/// <c>fieldManager</c>, else its User-Agent up to the first '/', as the apiserver names it (kubectl sends its own,
/// e.g. <c>kubectl-create</c>, <c>kubectl-client-side-apply</c>); the sandbox's workload and HPA controllers write
/// as <c>kube-controller-manager</c> (its scheduler's and kubelets' pod writes are not recorded).
/// </summary>
internal sealed record FieldOwner(string Manager)
{
    public const int MaxLength = 128;

    public static FieldOwner ControllerManager { get; } = new("kube-controller-manager");

    /// <summary>The apiserver itself (its bootstrap controller writes the default/kubernetes Service).</summary>
    public static FieldOwner ApiServer { get; } = new("kube-apiserver");

    public static FieldOwner Of(HttpRequest request)
    {
        var named = request.Query["fieldManager"].ToString();
        if (named.Length > 0)
        {
            return new FieldOwner(named);
        }

        // As the apiserver's prefixFromUserAgent: printable characters before the first '/', at most 128.
        var prefix = new string(request.Headers.UserAgent.ToString().Split('/')[0].Where(c => !char.IsControl(c)).ToArray());
        return new FieldOwner(prefix.Length > MaxLength ? prefix[..MaxLength] : prefix);
    }
}
