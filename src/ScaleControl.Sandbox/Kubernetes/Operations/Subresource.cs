namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>What a write replaces (Token: a ServiceAccount's TokenRequest, which writes nothing). <see cref="Whole"/> is the sandbox's own controllers writing spec and status at once (no URL maps to it).</summary>
internal enum Subresource { None, Status, Scale, Token, Whole }
