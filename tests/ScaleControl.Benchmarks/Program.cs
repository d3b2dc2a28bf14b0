using ScaleControl.Benchmarks;

// `kubernetes`: the Kubernetes adapters against the sandbox API server (see KubernetesFigures).
if (args is ["kubernetes", .. var kubernetesArgs])
    return await KubernetesFigures.RunAsync(kubernetesArgs);

return 0;
