using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;

namespace ScaleControl.Kubernetes;

/// <summary>Fails the host at start when <see cref="KubernetesOptions.Namespaces"/> holds a bad entry, naming it.</summary>
internal sealed class KubernetesOptionsValidator : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        var problems = WatchedNamespaces.Problems(options.Namespaces).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
