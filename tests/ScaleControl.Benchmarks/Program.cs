using BenchmarkDotNet.Running;
using ScaleControl.Benchmarks;

return args.FirstOrDefault() switch
{
    "replay" => ReplayCommand.Run(args.Skip(1).ToArray()),
    "engine" => RunEngine(args.Skip(1).ToArray()),
    "engine-cpu" => await LoopEvaluationBenchmark.RunCpuAsync(args.Skip(1).ToArray()),
    "timeline" => TimelineCommand.Run(args.Skip(1).ToArray()),

    // The leading signal's conversion learned push by push, against the same pushes without learning (see LearningCommand).
    "learning" => LearningCommand.Run(args.Skip(1).ToArray()),
    "breakdown" => BreakdownCommand.Run(args.Skip(1).ToArray()),

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
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/ScaleControl.Benchmarks -- replay [traceDir] [policy.yaml]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- learning [trace.csv] [policy.yaml] [--seeds N] [--median]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- engine [BenchmarkDotNet args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- engine-cpu [runs]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- kubernetes [args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- dingtalk [args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- prometheus [args]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- footprint [--policies 1000] [--queries 200] [--warmup 60] [--seconds 120] [--limit-mib 128] [--server <dir>] [--env NAME=VALUE]... [--flat]");
    Console.Error.WriteLine("       dotnet run -c Release --project tests/ScaleControl.Benchmarks -- soak [--minutes 30] [--seed 1] [--server <dir>]");
    return 2;
}
