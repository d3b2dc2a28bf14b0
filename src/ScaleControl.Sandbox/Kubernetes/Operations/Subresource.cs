namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// What a write replaces (Token: a ServiceAccount's TokenRequest, which writes nothing). <see cref="Whole"/> is the
/// sandbox's own controllers writing spec and status at once (no URL maps to it). <see cref="Unserved"/> is what a
/// kubelet would answer (exec, attach, port-forward, proxy): the sandbox runs no containers, so it fails fast.
/// <see cref="Log"/> is a pod's container log (Cluster/ContainerLog), derived from what the sandbox simulated.
/// <see cref="Eviction"/> is a pod's eviction (Operations/PodEviction), which writes the pod's deletion.
/// </summary>
internal enum Subresource { None, Status, Scale, Token, Eviction, Whole, Log, Unserved }
