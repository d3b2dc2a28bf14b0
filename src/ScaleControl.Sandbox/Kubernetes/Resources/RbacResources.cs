using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// rbac.authorization.k8s.io/v1 (evaluated on every request by Auth/RbacAuthorizer; the bootstrap roles in
/// Auth/BootstrapPolicy, aggregation in Auth/ClusterRoleAggregation) and the review kinds of
/// authorization.k8s.io and authentication.k8s.io, which are only created (Auth/AuthEndpoints answers them).
/// </summary>
internal static class RbacResources
{
    private const string Rbac = "rbac.authorization.k8s.io";

    public static ResourceType ClusterRoles { get; } = new(Rbac, "v1", "clusterroles", "clusterrole", "ClusterRole", Namespaced: false)
    {
        Model = typeof(k8s.Models.V1ClusterRole),
        TracksGeneration = false,
        Columns = [TableColumn.NameColumn, CreatedAt()],
    };

    public static ResourceType ClusterRoleBindings { get; } = new(Rbac, "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", Namespaced: false)
    {
        Model = typeof(k8s.Models.V1ClusterRoleBinding),
        TracksGeneration = false,
        Columns = [TableColumn.NameColumn, RoleColumn(), TableColumn.AgeColumn],
    };

    public static ResourceType Roles { get; } = new(Rbac, "v1", "roles", "role", "Role", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1Role),
        TracksGeneration = false,
        Columns = [TableColumn.NameColumn, CreatedAt()],
    };

    public static ResourceType RoleBindings { get; } = new(Rbac, "v1", "rolebindings", "rolebinding", "RoleBinding", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1RoleBinding),
        TracksGeneration = false,
        Columns = [TableColumn.NameColumn, RoleColumn(), TableColumn.AgeColumn],
    };

    public static ResourceType SelfSubjectAccessReviews { get; } =
        new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "", "SelfSubjectAccessReview", Namespaced: false)
        {
            Model = typeof(k8s.Models.V1SelfSubjectAccessReview),
            Verbs = ["create"],
        };

    public static ResourceType SelfSubjectReviews { get; } =
        new("authentication.k8s.io", "v1", "selfsubjectreviews", "", "SelfSubjectReview", Namespaced: false)
        {
            Model = typeof(k8s.Models.V1SelfSubjectReview),
            Verbs = ["create"],
        };

    /// <summary><c>kubectl auth can-i --list</c>: every rule that applies to the caller in a namespace.</summary>
    public static ResourceType SelfSubjectRulesReviews { get; } =
        new("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "", "SelfSubjectRulesReview", Namespaced: false)
        {
            Model = typeof(k8s.Models.V1SelfSubjectRulesReview),
            Verbs = ["create"],
        };

    /// <summary>Whether another user may do something (asked by an admin or a webhook; needs create on subjectaccessreviews).</summary>
    public static ResourceType SubjectAccessReviews { get; } =
        new("authorization.k8s.io", "v1", "subjectaccessreviews", "", "SubjectAccessReview", Namespaced: false)
        {
            Model = typeof(k8s.Models.V1SubjectAccessReview),
            Verbs = ["create"],
        };

    public static IEnumerable<ResourceType> All =>
        [ClusterRoles, ClusterRoleBindings, Roles, RoleBindings, SelfSubjectAccessReviews, SelfSubjectRulesReviews, SubjectAccessReviews, SelfSubjectReviews];

    /// <summary>Whether <paramref name="type"/> is a review: answered, never stored.</summary>
    public static bool IsReview(ResourceType type) =>
        type == SelfSubjectAccessReviews || type == SelfSubjectRulesReviews || type == SubjectAccessReviews || type == SelfSubjectReviews;

    private static TableColumn CreatedAt() => new("Created At", "date", (o, _) => JsonPaths.GetString(o, "metadata.creationTimestamp"));

    private static TableColumn RoleColumn() =>
        new("Role", "string", (o, _) => $"{JsonPaths.GetString(o, "roleRef.kind")}/{JsonPaths.GetString(o, "roleRef.name")}");
}
