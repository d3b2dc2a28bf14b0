using BenchmarkDotNet.Running;
using ScaleControl.Benchmarks;
using ScaleControl.Policies.Yaml;

if (args.Contains("--help") || args.Contains("-h"))
{
    Usage();
    return 0;
}

try
{
    return await RunAsync(args);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or PolicyYamlException)
{
    // A missing trace or policy, a bad number or file: one line, not a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static async Task<int> RunAsync(string[] args) => args.FirstOrDefault() switch
{
    "replay" => ReplayCommand.Run(args.Skip(1).ToArray()),
    "engine" => RunEngine(args.Skip(1).ToArray()),
    "engine-cpu" => await LoopEvaluationBenchmark.RunCpuAsync(args.Skip(1).ToArray()),
    "timeline" => TimelineCommand.Run(args.Skip(1).ToArray()),

    // The leading signal's conversion learned push by push, against the same pushes without learning (see LearningCommand).
    "learning" => LearningCommand.Run(args.Skip(1).ToArray()),
    "breakdown" => BreakdownCommand.Run(args.Skip(1).ToArray()),

    // The HPA's target swept until it gives ScaleControl's service, and what it then holds (see EqualServiceCommand).
    "equal-service" => EqualServiceCommand.Run(args.Skip(1).ToArray()),

    // The Kubernetes adapters against the sandbox API server (see KubernetesFigures).
    "kubernetes" => await KubernetesFigures.RunAsync(args.Skip(1).ToArray()),

    // Card taps against the DingTalk emulator (see DingTalkTapBenchmark).
    "dingtalk" => await DingTalkTapBenchmark.RunAsync(args.Skip(1).ToArray()),

    // The signal path against a real Prometheus (see PrometheusTickBenchmark).
    "prometheus" => await PrometheusTickBenchmark.RunAsync(args.Skip(1).ToArray()),

    // The product alone under a memory limit, with N policies against a real Prometheus (see FootprintBenchmark).
    "footprint" => await FootprintBenchmark.RunAsync(args.Skip(1).ToArray()),
    // Bounded soak of the product in sandbox mode: hot events, taps, faults; RSS over time (see SoakCommand).
    "soak" => await SoakCommand.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int RunEngine(string[] rest)
{
    BenchmarkRunner.Run([typeof(EngineBenchmark), typeof(LoopEvaluationBenchmark)], null, rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/ScaleControl.Benchmarks -- replay [traceDir|trace.csv]... [policy.yaml] [--seeds 10] [--scrape 15]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- timeline <trace.csv> [policy.yaml] [stepSeconds] [fromSeconds] [toSeconds] [--seed N] [--changes]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- breakdown [traceDir|trace.csv]... [--seeds 10]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- equal-service [traceDir|trace.csv]... [policy.yaml] [--seeds 10] [--scrape 15]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- learning [trace.csv] [policy.yaml] [--seeds N] [--median]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- engine [BenchmarkDotNet args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- engine-cpu [runs] [--scrape 15]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- kubernetes [args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- dingtalk [args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- prometheus [args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- footprint [--policies 1000] [--queries 200] [--warmup 60] [--seconds 120] [--limit-mib 128] [--server <dir>] [--env NAME=VALUE]... [--flat]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- soak [--minutes 30] [--seed 1] [--server <dir>]");
    return 2;
}
