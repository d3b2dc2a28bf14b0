using ScaleControl.Benchmarks;

// `prometheus`: the signal path against a real Prometheus (see PrometheusTickBenchmark).
if (args is ["prometheus", .. var rest])
    return await PrometheusTickBenchmark.RunAsync(rest);

return 0;
