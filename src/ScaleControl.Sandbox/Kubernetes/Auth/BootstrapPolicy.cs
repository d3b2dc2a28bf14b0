using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>
/// The roles every cluster starts with, in substance as kube-apiserver's bootstrap policy
/// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): <c>cluster-admin</c> (bound to system:masters), the
/// user-facing <c>admin</c>, <c>edit</c> and <c>view</c> built by aggregation from the <c>system:aggregate-to-*</c>
/// roles, and what every authenticated user may do (system:discovery, system:basic-user, system:public-info-viewer);
/// with them metrics-server's <c>system:aggregated-metrics-reader</c>, as the emulated metrics API comes installed.
/// Created when missing at start, so a restart on kept state keeps what a user changed.
/// </summary>
internal static class BootstrapPolicy
{
    private const string AggregateLabel = "rbac.authorization.k8s.io/aggregate-to-";
    private static readonly string[] s_read = ["get", "list", "watch"];
    private static readonly string[] s_write = ["create", "delete", "deletecollection", "patch", "update"];
    private static readonly string[] s_readWrite = [.. s_write, .. s_read];

    public static void Ensure(ResourceOperations operations)
    {
        foreach (var role in ClusterRoles())
        {
            CreateIfMissing(operations, RbacResources.ClusterRoles, role);
        }

        foreach (var binding in ClusterRoleBindings())
        {
            CreateIfMissing(operations, RbacResources.ClusterRoleBindings, binding);
        }
    }

    private static void CreateIfMissing(ResourceOperations operations, ResourceType type, JsonObject body)
    {
        if (operations.Find(type, "", (string)body["metadata"]!["name"]!) is not null)
        {
            return;
        }

        try
        {
            operations.Create(type, "", body);
        }
        catch (ApiException e) when (e.Code == 409)
        {
            // Created concurrently: fine.
        }
    }

    private static IEnumerable<JsonObject> ClusterRoles()
    {
        yield return Role("cluster-admin", labels: null, aggregateFrom: null,
            Rule(["*"], ["*"], ["*"]),
            NonResource(["*"], ["*"]));
        yield return Role("admin", labels: null, aggregateFrom: "admin");
        yield return Role("edit", labels: [AggregateLabel + "admin"], aggregateFrom: "edit");
        yield return Role("view", labels: [AggregateLabel + "edit"], aggregateFrom: "view");
        yield return Role("system:aggregate-to-admin", labels: [AggregateLabel + "admin"], aggregateFrom: null,
            Rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
            Rule(s_readWrite, ["rbac.authorization.k8s.io"], ["roles", "rolebindings"]));
        yield return Role("system:aggregate-to-edit", labels: [AggregateLabel + "edit"], aggregateFrom: null,
            Rule(s_read, [""], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
            Rule(["impersonate"], [""], ["serviceaccounts"]),
            Rule(s_write, [""], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
            Rule(["create"], [""], ["pods/eviction"]),
            Rule(s_write, [""], ["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/proxy",
                "persistentvolumeclaims", "configmaps", "secrets", "events"]),
            Rule(["create"], [""], ["serviceaccounts/token"]),
            Rule(s_write, ["apps"], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale", "deployments/rollback",
                "replicasets", "replicasets/scale"]),
            Rule(s_write, ["autoscaling"], ["horizontalpodautoscalers"]),
            Rule(s_write, ["batch"], ["jobs", "cronjobs"]),
            Rule(s_write, ["policy"], ["poddisruptionbudgets"]),
            Rule(s_write, ["networking.k8s.io"], ["networkpolicies", "ingresses"]),
            Rule(s_readWrite, ["coordination.k8s.io"], ["leases"]));
        yield return Role("system:aggregate-to-view", labels: [AggregateLabel + "view"], aggregateFrom: null,
            Rule(s_read, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status",
                "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"]),
            Rule(s_read, [""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status", "namespaces/status",
                "replicationcontrollers/status", "pods/log"]),
            Rule(s_read, [""], ["namespaces"]),
            Rule(s_read, ["discovery.k8s.io"], ["endpointslices"]),
            Rule(s_read, ["apps"], ["controllerrevisions", "statefulsets", "statefulsets/scale", "statefulsets/status", "daemonsets", "daemonsets/status",
                "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status"]),
            Rule(s_read, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
            Rule(s_read, ["batch"], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
            Rule(s_read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
            Rule(s_read, ["networking.k8s.io"], ["networkpolicies", "ingresses", "ingresses/status"]));
        // Not bootstrap policy but metrics-server's own manifest: reading metrics, aggregated into view, edit and admin.
        yield return Role("system:aggregated-metrics-reader", labels: [AggregateLabel + "view", AggregateLabel + "edit", AggregateLabel + "admin"],
            aggregateFrom: null,
            Rule(s_read, [Metrics.MetricsResources.Group], ["pods", "nodes"]));
        yield return Role("system:discovery", labels: null, aggregateFrom: null,
            NonResource(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]));
        yield return Role("system:basic-user", labels: null, aggregateFrom: null,
            Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]));
        yield return Role("system:public-info-viewer", labels: null, aggregateFrom: null,
            NonResource(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"]));
    }

    private static IEnumerable<JsonObject> ClusterRoleBindings()
    {
        yield return Binding("cluster-admin", "system:masters");
        yield return Binding("system:discovery", UserInfo.Authenticated);
        yield return Binding("system:basic-user", UserInfo.Authenticated);
        yield return Binding("system:public-info-viewer", UserInfo.Authenticated, "system:unauthenticated");
    }

    private static JsonObject Role(string name, string[]? labels, string? aggregateFrom, params JsonObject[] rules)
    {
        var metadata = Metadata(name);
        foreach (var label in labels ?? [])
        {
            metadata["labels"]![label] = "true";
        }

        var role = new JsonObject { ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "ClusterRole", ["metadata"] = metadata };
        if (aggregateFrom is not null)
        {
            role["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray(new JsonObject { ["matchLabels"] = new JsonObject { [AggregateLabel + aggregateFrom] = "true" } }),
            };
        }

        role["rules"] = new JsonArray([.. rules]);
        return role;
    }

    private static JsonObject Binding(string role, params string[] groups) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = Metadata(role),
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray([.. groups.Select(g => (JsonNode)new JsonObject
        {
            ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = g,
        })]),
    };

    private static JsonObject Metadata(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static JsonObject Rule(string[] verbs, string[] apiGroups, string[] resources) => new()
    {
        ["verbs"] = Strings(verbs),
        ["apiGroups"] = Strings(apiGroups),
        ["resources"] = Strings(resources),
    };

    private static JsonObject NonResource(string[] verbs, string[] urls) => new() { ["verbs"] = Strings(verbs), ["nonResourceURLs"] = Strings(urls) };

    private static JsonArray Strings(string[] values) => new([.. values.Select(v => (JsonNode)v)]);
}
