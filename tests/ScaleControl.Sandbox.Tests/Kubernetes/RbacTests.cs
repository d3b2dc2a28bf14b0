using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Authentication and RBAC as real kubectl and python3-kubernetes meet them: ServiceAccount tokens from
/// <c>kubectl create token</c>, Roles and bindings applied with kubectl, <c>auth can-i</c>/<c>whoami</c>, and the
/// apiserver's 403 Forbidden text.
/// </summary>
public sealed class RbacTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose() => _owned.ForEach(d => d.Dispose());

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private const string Rbac = """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: scaler, namespace: shop}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: scaler, namespace: shop}
        rules:
          - apiGroups: [apps]
            resources: [deployments]
            verbs: [get, list, watch]
          - apiGroups: [apps]
            resources: [deployments/scale]
            verbs: [get, patch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: scaler, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: scaler}
        subjects:
          - {kind: ServiceAccount, name: scaler, namespace: shop}
        """;

    [Fact]
    public async Task ServiceAccountToken_IsCheckedByRbac_AsKubectlSeesIt()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, tls: true);
        using var admin = new Kubectl(sandbox.Server);
        await admin.RunAsync("create", "namespace", "shop");
        sandbox.Control.SeedDeployment("shop", "web", 2);
        await admin.RunAsync("apply", "-f", admin.WriteFile("rbac.yaml", Rbac));
        var token = (await admin.RunAsync("create", "token", "scaler", "-n", "shop", "--duration=1h")).StdOut.Trim();
        using var scaler = new Kubectl(sandbox.Server, token, "shop");

        var adminWho = await admin.RunAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        var who = await scaler.RunAsync("auth", "whoami");
        var canPatchScale = await scaler.RunRawAsync("auth", "can-i", "patch", "deployments", "--subresource=scale", "-n", "shop");
        var canDelete = await scaler.RunRawAsync("auth", "can-i", "delete", "deployments", "-n", "shop");
        var canPatchElsewhere = await scaler.RunRawAsync("auth", "can-i", "patch", "deployments", "--subresource=scale", "-n", "video");
        var scaled = await scaler.RunRawAsync("scale", "deploy/web", "--replicas=4");
        var deleted = await scaler.RunRawAsync("delete", "deploy", "web");
        var listedElsewhere = await scaler.RunRawAsync("get", "deploy", "-n", "video");

        Assert.Equal("kubernetes-admin", adminWho.StdOut);
        Assert.Contains("system:serviceaccount:shop:scaler", who.StdOut, StringComparison.Ordinal);
        Assert.Contains("system:serviceaccounts:shop", who.StdOut, StringComparison.Ordinal);
        Assert.Equal((0, "yes"), (canPatchScale.ExitCode, canPatchScale.StdOut.Trim()));
        Assert.Equal((1, "no"), (canDelete.ExitCode, canDelete.StdOut.Trim()));
        Assert.Equal((1, "no"), (canPatchElsewhere.ExitCode, canPatchElsewhere.StdOut.Trim()));
        Assert.Equal(0, scaled.ExitCode);
        Assert.Equal(4, await admin.ReplicasAsync("deployment", "shop", "web"));
        Assert.Equal(
            "Error from server (Forbidden): deployments.apps \"web\" is forbidden: User \"system:serviceaccount:shop:scaler\" cannot delete resource \"deployments\" in API group \"apps\" in the namespace \"shop\"",
            deleted.StdErr.Trim());
        Assert.Contains(
            "deployments.apps is forbidden: User \"system:serviceaccount:shop:scaler\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"video\"",
            listedElsewhere.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedVerb_And_DeletedServiceAccount_AreRefusedOnTheNextRequest()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, tls: true);
        using var admin = new Kubectl(sandbox.Server);
        await admin.RunAsync("create", "namespace", "shop");
        sandbox.Control.SeedDeployment("shop", "web", 2);
        await admin.RunAsync("apply", "-f", admin.WriteFile("rbac.yaml", Rbac));
        var token = (await admin.RunAsync("create", "token", "scaler", "-n", "shop")).StdOut.Trim();
        using var scaler = new Kubectl(sandbox.Server, token, "shop");
        await scaler.RunAsync("scale", "deploy/web", "--replicas=3");

        await admin.RunAsync("apply", "-f", admin.WriteFile("less.yaml", Rbac.Replace("verbs: [get, patch]", "verbs: [get]", StringComparison.Ordinal)));
        var revoked = await scaler.RunRawAsync("scale", "deploy/web", "--replicas=5");
        await admin.RunAsync("delete", "serviceaccount", "scaler", "-n", "shop");
        var gone = await scaler.RunRawAsync("get", "deploy", "web");
        var bogus = await Own(new Kubectl(sandbox.Server, "not-a-token", "shop")).RunRawAsync("get", "deploy");

        Assert.Contains("cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"shop\"", revoked.StdErr, StringComparison.Ordinal);
        Assert.Equal(3, await admin.ReplicasAsync("deployment", "shop", "web"));
        Assert.Contains("error: You must be logged in to the server (Unauthorized)", gone.StdErr, StringComparison.Ordinal);
        Assert.Contains("error: You must be logged in to the server (the server has asked for the client to provide credentials)", bogus.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonClient_ReviewsItself_AndGetsTheForbiddenStatus()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, tls: true);
        using var admin = new Kubectl(sandbox.Server);
        await admin.RunAsync("create", "namespace", "shop");
        sandbox.Control.SeedDeployment("shop", "web", 2);
        await admin.RunAsync("apply", "-f", admin.WriteFile("rbac.yaml", Rbac));
        var token = (await admin.RunAsync("create", "token", "scaler", "-n", "shop")).StdOut.Trim();
        using var scaler = new Kubectl(sandbox.Server, token, "shop");
        var kubeconfig = scaler.KubeconfigPath;

        var output = await Python.RunAsync(kubeconfig, """
            import json
            from kubernetes.client.rest import ApiException
            authz = client.AuthorizationV1Api()
            def can(verb, resource, sub=""):
                review = client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
                    resource_attributes=client.V1ResourceAttributes(namespace="shop", verb=verb, group="apps", resource=resource, subresource=sub)))
                return authz.create_self_subject_access_review(review).status.allowed
            print(can("patch", "deployments", "scale"), can("delete", "deployments"))
            api = client.ApiClient()
            me = api.call_api("/apis/authentication.k8s.io/v1/selfsubjectreviews", "POST", body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
                response_type="object", auth_settings=["BearerToken"], _return_http_data_only=True)
            print(me["status"]["userInfo"]["username"])
            try:
                client.AppsV1Api().delete_namespaced_deployment("web", "shop")
            except ApiException as e:
                body = json.loads(e.body)
                print(e.status, body["reason"], body["details"]["kind"], body["details"]["name"])
            """);

        Assert.Equal(
            ["True False", "system:serviceaccount:shop:scaler", "403 Forbidden deployments web"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
