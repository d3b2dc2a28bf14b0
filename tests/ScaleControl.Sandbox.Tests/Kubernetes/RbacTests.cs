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

    [Fact]
    public async Task CanIList_ImpersonationAndSubjectAccessReview_AnswerAsTheApiserver()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, tls: true);
        using var admin = new Kubectl(sandbox.Server);
        await admin.RunAsync("create", "namespace", "shop");
        sandbox.Control.SeedDeployment("shop", "web", 2);
        await admin.RunAsync("apply", "-f", admin.WriteFile("rbac.yaml", Rbac));
        var token = (await admin.RunAsync("create", "token", "scaler", "-n", "shop")).StdOut.Trim();
        using var scaler = new Kubectl(sandbox.Server, token, "shop");
        const string Scaler = "system:serviceaccount:shop:scaler";

        var list = (await scaler.RunAsync("auth", "can-i", "--list", "-n", "shop")).StdOut;
        var asScaler = await admin.RunRawAsync("auth", "can-i", "patch", "deployments", "--subresource=scale", "-n", "shop", $"--as={Scaler}");
        var asScalerDelete = await admin.RunRawAsync("auth", "can-i", "delete", "deployments", "-n", "shop", $"--as={Scaler}");
        var whoAs = await admin.RunAsync("auth", "whoami", "--as=jane", "--as-group=devs", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
        var scaledAs = await admin.RunRawAsync("scale", "deploy/web", "--replicas=3", "-n", "shop", $"--as={Scaler}");
        var janeGet = await admin.RunRawAsync("get", "deploy", "-n", "shop", "--as=jane");
        var scalerImpersonates = await scaler.RunRawAsync("get", "--raw", "/apis/apps/v1/namespaces/shop/deployments", "--as=jane");
        var sar = await Python.RunAsync(admin.KubeconfigPath, """
            authz = client.AuthorizationV1Api()
            def may(verb, resource, sub="", user="system:serviceaccount:shop:scaler", groups=None):
                review = client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(user=user, groups=groups,
                    resource_attributes=client.V1ResourceAttributes(namespace="shop", verb=verb, group="apps", resource=resource, subresource=sub)))
                status = authz.create_subject_access_review(review).status
                return f"{status.allowed}:{status.reason or ''}"
            print(may("patch", "deployments", "scale"))
            print(may("delete", "deployments"))
            print(may("delete", "deployments", user="root", groups=["system:masters"]))
            """);
        var scalerAsks = await scaler.RunRawAsync("create", "-f", scaler.WriteFile("sar.yaml", """
            apiVersion: authorization.k8s.io/v1
            kind: SubjectAccessReview
            spec:
              user: jane
              resourceAttributes: {verb: get, resource: pods, namespace: shop}
            """));

        // can-i --list: the Role's rules, then what every authenticated user may do (the bootstrap roles).
        Assert.Matches(@"deployments\.apps/scale\s+\[\]\s+\[\]\s+\[get patch\]", list);
        Assert.Matches(@"deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]", list);
        Assert.Matches(@"selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]", list);
        Assert.Matches(@"\s+\[/healthz\]\s+\[\]\s+\[get\]", list);
        Assert.DoesNotContain("secrets", list, StringComparison.Ordinal);
        Assert.Equal((0, "yes"), (asScaler.ExitCode, asScaler.StdOut.Trim()));
        Assert.Equal((1, "no"), (asScalerDelete.ExitCode, asScalerDelete.StdOut.Trim()));
        Assert.Equal("jane [\"devs\",\"system:authenticated\"]", whoAs.StdOut);
        Assert.Equal(0, scaledAs.ExitCode);
        Assert.Equal(3, await admin.ReplicasAsync("deployment", "shop", "web"));
        Assert.Contains("deployments.apps is forbidden: User \"jane\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"shop\"",
            janeGet.StdErr, StringComparison.Ordinal);
        Assert.Contains($"users \"jane\" is forbidden: User \"{Scaler}\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
            scalerImpersonates.StdErr, StringComparison.Ordinal);
        Assert.Equal(
            ["True:RBAC: allowed by RoleBinding \"scaler/shop\" of Role \"scaler\" to ServiceAccount \"scaler/shop\"", "False:", "True:"], // system:masters is allowed before RBAC, without a reason
            sar.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"subjectaccessreviews.authorization.k8s.io is forbidden: User \"{Scaler}\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope",
            scalerAsks.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubectlCreateRolesAndBindings_ProtobufBodies_GrantWhatTheySay()
    {
        // kubectl 1.32 sends these four in protobuf, as docs/sandbox.md walks through them.
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, tls: true);
        using var admin = new Kubectl(sandbox.Server);
        await admin.RunAsync("create", "namespace", "shop");
        await admin.RunAsync("create", "serviceaccount", "viewer", "-n", "shop");
        await admin.RunAsync("create", "clusterrole", "view-deployments", "--verb=get,list,watch", "--resource=deployments");
        await admin.RunAsync("create", "rolebinding", "viewer", "-n", "shop", "--clusterrole=view-deployments", "--serviceaccount=shop:viewer");
        await admin.RunAsync("create", "role", "scale-web", "-n", "shop", "--verb=patch", "--resource=deployments/scale", "--resource-name=web");
        await admin.RunAsync("create", "clusterrolebinding", "viewer-nodes", "--clusterrole=view-deployments", "--group=ops", "--user=jane");
        var token = (await admin.RunAsync("create", "token", "viewer", "-n", "shop")).StdOut.Trim();
        using var viewer = new Kubectl(sandbox.Server, token, "shop");

        var canList = (await viewer.RunRawAsync("auth", "can-i", "list", "deployments")).StdOut.Trim();
        var canDelete = (await viewer.RunRawAsync("auth", "can-i", "delete", "deployments")).StdOut.Trim();
        var binding = (await admin.RunAsync("get", "rolebinding", "viewer", "-n", "shop", "-o",
            "jsonpath={.roleRef.kind}/{.roleRef.name} {.subjects[0].kind}/{.subjects[0].namespace}/{.subjects[0].name}")).StdOut;
        var role = (await admin.RunAsync("get", "role", "scale-web", "-n", "shop", "-o",
            "jsonpath={.rules[0].apiGroups[0]} {.rules[0].resources[0]} {.rules[0].resourceNames[0]} {.rules[0].verbs[0]}")).StdOut;
        var clusterBinding = (await admin.RunAsync("get", "clusterrolebinding", "viewer-nodes", "-o",
            "jsonpath={.subjects[*].kind} {.subjects[*].name}")).StdOut;

        Assert.Equal(("yes", "no"), (canList, canDelete));
        Assert.Equal("ClusterRole/view-deployments ServiceAccount/shop/viewer", binding);
        Assert.Equal("apps deployments/scale web patch", role);
        Assert.Equal("User Group jane ops", clusterBinding);
    }

    [Fact]
    public async Task BuiltInRoles_ViewEditAdmin_AggregateAsUpstream_AndTakeInANewLabelledRole()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, tls: true);
        using var admin = new Kubectl(sandbox.Server);
        await admin.RunAsync("create", "namespace", "shop");
        await admin.RunAsync("create", "serviceaccount", "reader", "-n", "shop");
        await admin.RunAsync("apply", "-f", admin.WriteFile("view.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: reader-view, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects:
              - {kind: ServiceAccount, name: reader, namespace: shop}
            """));
        var token = (await admin.RunAsync("create", "token", "reader", "-n", "shop")).StdOut.Trim();
        using var reader = new Kubectl(sandbox.Server, token, "shop");

        async Task<string> Can(params string[] args) => (await reader.RunRawAsync(["auth", "can-i", .. args])).StdOut.Trim();
        var builtIn = (await admin.RunAsync("get", "clusterroles", "-o", "name")).StdOut;
        var canList = await Can("list", "deployments.apps");
        var canScale = await Can("patch", "deployments.apps", "--subresource=scale");
        var canSecrets = await Can("get", "secrets");
        var canPolicies = await Can("list", "scalepolicies.scalecontrol.io");
        var canElsewhere = await Can("list", "deployments.apps", "-n", "default");
        var editRules = (await admin.RunAsync("get", "clusterrole", "edit", "-o", "json")).StdOut;
        var adminRulesBefore = (await admin.RunAsync("get", "clusterrole", "admin", "-o", "json")).StdOut;

        // A role labelled aggregate-to-view (as a CRD's chart ships) joins view, and through it edit and admin.
        await admin.RunAsync("apply", "-f", admin.WriteFile("policies-view.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: scalepolicies-view
              labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
            rules:
              - apiGroups: [scalecontrol.io]
                resources: [scalepolicies]
                verbs: [get, list, watch]
            """));
        await admin.RunAsync("apply", "-f", admin.WriteFile("crd.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: scalepolicies.scalecontrol.io}
            spec:
              group: scalecontrol.io
              scope: Namespaced
              names: {plural: scalepolicies, singular: scalepolicy, kind: ScalePolicy}
              versions:
                - name: v1alpha1
                  served: true
                  storage: true
                  schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            """));
        var canPoliciesNow = await Can("list", "scalepolicies.scalecontrol.io");
        var adminRulesAfter = (await admin.RunAsync("get", "clusterrole", "admin", "-o", "json")).StdOut;
        await admin.RunAsync("delete", "clusterrole", "scalepolicies-view");
        var canPoliciesAfterDelete = await Can("list", "scalepolicies.scalecontrol.io");

        foreach (var role in new[] { "cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery" })
        {
            Assert.Contains($"clusterrole.rbac.authorization.k8s.io/{role}\n", builtIn, StringComparison.Ordinal);
        }

        Assert.Equal(("yes", "no", "no", "no", "no"), (canList, canScale, canSecrets, canPolicies, canElsewhere));
        Assert.Contains("\"secrets\"", editRules, StringComparison.Ordinal); // edit writes secrets
        Assert.Contains("\"replicasets/status\"", editRules, StringComparison.Ordinal); // and holds view's rules
        Assert.Contains("\"rolebindings\"", adminRulesBefore, StringComparison.Ordinal); // admin holds edit's and its own
        Assert.Contains("\"secrets\"", adminRulesBefore, StringComparison.Ordinal);
        Assert.DoesNotContain("scalecontrol.io", adminRulesBefore, StringComparison.Ordinal);
        Assert.Equal("yes", canPoliciesNow);
        Assert.Contains("scalecontrol.io", adminRulesAfter, StringComparison.Ordinal);
        Assert.Equal("no", canPoliciesAfterDelete);
    }
}
