using Microsoft.Extensions.Options;

namespace ScaleControl.Sandbox.Traffic;

internal sealed class SandboxTrafficOptionsValidator : IValidateOptions<SandboxTrafficOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxTrafficOptions options)
    {
        var errors = new List<string>();
        if (options.NoiseFraction is < 0 or > 0.5)
            errors.Add($"NoiseFraction must be between 0 and 0.5; got {options.NoiseFraction}.");
        if (options.DemoMeanInterval < TimeSpan.FromSeconds(10))
            errors.Add($"DemoMeanInterval must be at least 10 s; got {options.DemoMeanInterval}.");
        if (options.DefaultReplicas < 0)
            errors.Add($"DefaultReplicas must not be negative; got {options.DefaultReplicas}.");
        if (options.History < TimeSpan.FromMinutes(5) || options.History > TimeSpan.FromDays(2))
            errors.Add($"History must be between 5 minutes and 2 days; got {options.History}.");
        if (options.Warmup < TimeSpan.Zero || options.Warmup > options.History)
            errors.Add($"Warmup must be between 0 and History; got {options.Warmup}.");
        if (options.Services.Count == 0)
            errors.Add("At least one service is required.");

        foreach (var service in options.Services)
        {
            var id = $"service {service.Namespace}/{service.Workload}";
            if (string.IsNullOrWhiteSpace(service.Namespace) || string.IsNullOrWhiteSpace(service.Workload))
                errors.Add($"{id}: Namespace and Workload are required.");
            if (service.PeakQps < 0 || service.PodCapacityQps <= 0)
                errors.Add($"{id}: PeakQps must be >= 0 and PodCapacityQps > 0.");
            if (service.BaseLatencySeconds <= 0 || service.BaseLatencySeconds > 5)
                errors.Add($"{id}: BaseLatencySeconds must be in (0, 5].");
            if (service.BaseErrorRatio is < 0 or > 1)
                errors.Add($"{id}: BaseErrorRatio must be in [0, 1].");
            if (service.Replicas < 0)
                errors.Add($"{id}: Replicas must not be negative.");
        }

        var duplicates = options.Services.GroupBy(s => (s.Namespace, s.Workload)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Namespace}/{g.Key.Workload}");
        foreach (var duplicate in duplicates)
            errors.Add($"service {duplicate} is listed twice.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
