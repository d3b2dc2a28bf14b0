namespace ScaleControl.Sandbox.Kubernetes.Operations;

internal enum Subresource { None, Status, Scale }
