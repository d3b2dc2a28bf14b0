using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>What the rollout tests share: a running Deployment in namespace shop, one controller pass, what kubectl shows of it.</summary>
internal static class RolloutSandbox
{
    /// <summary>A Deployment of nginx:1.27 whose pods are all ready.</summary>
    public static async Task<Kubectl> RunningAsync(SandboxHarness sandbox, string name, int replicas)
    {
        var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "deployment", name, "--image=nginx:1.27", $"--replicas={replicas}", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        Pass(sandbox, TimeSpan.FromSeconds(5));
        Pass(sandbox, TimeSpan.Zero);
        return kubectl;
    }

    /// <summary>Each ReplicaSet as "0 &lt;image&gt; &lt;spec.replicas&gt;", by image.</summary>
    public static async Task<List<string>> SizesAsync(Kubectl kubectl)
    {
        var text = (await kubectl.RunAsync("get", "rs", "-n", "shop", "-o", "jsonpath={range .items[*]}0 {.spec.template.spec.containers[0].image} {.spec.replicas}{\"\\n\"}{end}")).StdOut;
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    /// <summary>The web Deployment's Progressing condition: "status reason" (and message).</summary>
    public static async Task<string> ProgressingAsync(Kubectl kubectl, bool withMessage = false)
    {
        const string Condition = ".status.conditions[?(@.type==\"Progressing\")]";
        var path = $"jsonpath={{{Condition}.status}} {{{Condition}.reason}}" + (withMessage ? $" {{{Condition}.message}}" : "");
        return (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", path)).StdOut;
    }

    /// <summary>Advances the fake clock, then runs the controllers once.</summary>
    public static void Pass(SandboxHarness sandbox, TimeSpan advance)
    {
        sandbox.Time!.Advance(advance);
        sandbox.Control.ReconcileNow();
    }
}
