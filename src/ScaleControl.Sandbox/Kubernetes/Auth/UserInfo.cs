namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>Who a request comes from, as the apiserver's authenticators describe a user (user.Info).</summary>
internal sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups)
{
    public const string Authenticated = "system:authenticated";

    /// <summary>The superuser group: RBAC is not consulted for its members, as in kube-apiserver.</summary>
    public const string Masters = "system:masters";

    /// <summary>The sandbox kubeconfig's user: all-powerful, like kind's or kubeadm's admin.conf.</summary>
    public static UserInfo Admin { get; } = new("kubernetes-admin", "", [Masters, Authenticated]);

    public bool IsSuperuser => Groups.Contains(Masters);

    /// <summary>A ServiceAccount's user, named and grouped as the apiserver's service account authenticator does.</summary>
    public static UserInfo ServiceAccount(string ns, string name, string uid) =>
        new($"system:serviceaccount:{ns}:{name}", uid, ["system:serviceaccounts", $"system:serviceaccounts:{ns}", Authenticated]);
}
