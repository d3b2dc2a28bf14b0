using System.Text.RegularExpressions;
using ScaleControl.Testing.Charts;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The chart's ServiceAccount and RBAC templates rendered as <c>helm template</c> would (helm itself cannot run here,
/// see <see cref="RbacTemplate"/>). Whatever rules the chart holds are what the test applies.
/// </summary>
internal static partial class ChartRbac
{
    public const string Release = "scalecontrol";
    public const string Namespace = "scalecontrol-system";

    /// <summary>The ServiceAccount's user name, as the apiserver names it in a 403.</summary>
    public static string User => $"system:serviceaccount:{Namespace}:{Release}";

    /// <summary>
    /// Installs the chart's ServiceAccount and RBAC into <paramref name="cluster"/> with kubectl (as the admin), issues
    /// the ServiceAccount a token (<c>kubectl create token</c>) and writes a kubeconfig that uses it: what the product's
    /// pod would mount. Answers the kubeconfig's path. <paramref name="rbac"/>: the rendered objects changed by a test.
    /// </summary>
    public static async Task<string> InstallAsync(SandboxServer cluster, string? rbac = null)
    {
        await cluster.Kubectl.RunAsync("apply", "-f", cluster.Kubectl.WriteFile("chart-rbac.yaml", rbac ?? Render()));
        var token = (await cluster.Kubectl.RunAsync("create", "token", Release, "-n", Namespace, "--duration=2h")).StdOut.Trim();
        var kubeconfig = Path.Combine(cluster.WorkingDirectory, "chart-sa.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, TokenLine().Replace(await File.ReadAllTextAsync(cluster.Kubeconfig), $"token: {token}"));
        return kubeconfig;
    }

    /// <summary>
    /// serviceaccount.yaml and rbac.yaml of charts/scalecontrol, as YAML documents for <c>kubectl apply</c>; with
    /// <paramref name="watchNamespaces"/> as the chart renders <c>watchNamespaces</c> (Roles in those namespaces).
    /// </summary>
    public static string Render(params string[] watchNamespaces) =>
        RbacTemplate.Render(Path.Combine(RepositoryRoot(), "charts", "scalecontrol"), Release, Namespace, watchNamespaces);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ScaleControl.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"token: \S+")]
    private static partial Regex TokenLine();
}
