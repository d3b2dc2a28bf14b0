using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk;
using ScaleControl.DingTalk.Cards;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Testing.DingTalk;

namespace ScaleControl.Benchmarks;

/// <summary>
/// Tap → Stream callback handled by the DingTalk client → card update answered, against the emulator over real
/// HTTP and WebSocket, at a fixed open-loop rate; then the same under a Stream <c>disconnect</c>, counting lost taps.
/// <c>dotnet run -c Release --project tests/ScaleControl.Benchmarks -- dingtalk [taps-per-second=200] [seconds=10]</c>
/// </summary>
internal static class DingTalkTapBenchmark
{
    private const string Group = "cidSandboxOnCall0001==";

    public static async Task<int> RunAsync(string[] args)
    {
        var rate = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;

        using var clientTimes = new ClientCallbackTimes();
        var options = DingTalkSandboxOptions.CreateDefault();
        options.QpsLimitPerAppAndApi = 100_000;
        await using var emulator = await DingTalkEmulator.StartAsync(options);
        var emulatorBase = emulator.BaseUrl.ToString().TrimEnd('/');
        var inbox = new ApproveAllInbox();
        await using var client = await StartClientAsync(emulatorBase, inbox);
        var script = emulator.Script;
        await WaitForConnectionAsync(script);

        var steady = await CreateCardsAsync(client, inbox, "steady", rate * seconds);
        var during = await CreateCardsAsync(client, inbox, "reconnect", rate * 5);

        Console.WriteLine($"DingTalk taps: {rate}/s for {seconds} s against the emulator (Stream callbacks, {Environment.ProcessorCount} cores)");
        var warmup = await CreateCardsAsync(client, inbox, "warmup", 200);
        await TapAllAsync(script, warmup, rate, null);
        clientTimes.Clear();
        Report("steady", await TapAllAsync(script, steady, rate, null), clientTimes.Sorted());
        clientTimes.Clear();

        // A disconnect one second in; the gateway closes the old socket 10 s later.
        Report("through disconnect", await TapAllAsync(script, during, rate, async () =>
        {
            var connection = (await script.GetFromJsonAsync<JsonElement[]>("stream/connections"))!
                .First(c => c.GetProperty("isOpen").GetBoolean() && !c.GetProperty("disconnecting").GetBoolean());
            await script.PostAsync($"stream/connections/{connection.GetProperty("connectionId").GetString()}/disconnect", null);
        }), clientTimes.Sorted());
        return 0;
    }

    private static async Task<List<TapResult>> TapAllAsync(HttpClient script, IReadOnlyList<string> outTrackIds, int rate, Func<Task>? afterOneSecond)
    {
        var results = new ConcurrentBag<TapResult>();
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var disturbed = false;
        for (var i = 0; i < outTrackIds.Count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            if (!disturbed && afterOneSecond is not null && clock.Elapsed >= TimeSpan.FromSeconds(1))
            {
                disturbed = true;
                inFlight.Add(afterOneSecond());
            }

            var outTrackId = outTrackIds[i];
            inFlight.Add(Task.Run(async () => results.Add(await TapAsync(script, outTrackId))));
        }

        await Task.WhenAll(inFlight);
        return [.. results];
    }

    private static async Task<TapResult> TapAsync(HttpClient script, string outTrackId)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await script.PostAsJsonAsync($"cards/{Uri.EscapeDataString(outTrackId)}/tap", new { userId = "zhangsan", actionIds = new[] { "approve" } });
        var roundTrip = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            return new TapResult($"HTTP {(int)response.StatusCode}", roundTrip, roundTrip);
        }

        var tap = body.GetProperty("tap");
        return new TapResult(tap.GetProperty("status").GetString()!, tap.GetProperty("latencyMs").GetDouble(), roundTrip);
    }

    private static void Report(string phase, List<TapResult> results, double[] inClient)
    {
        var updated = results.Where(r => r.Status == "Updated").ToList();
        var callback = updated.Select(r => r.CallbackMs).Order().ToArray();
        var roundTrip = updated.Select(r => r.RoundTripMs).Order().ToArray();
        Console.WriteLine($"  {phase}: {results.Count} taps, {updated.Count} answered and applied, {results.Count - updated.Count} lost "
            + $"({string.Join(", ", results.Where(r => r.Status != "Updated").GroupBy(r => r.Status).Select(g => $"{g.Key} {g.Count()}"))})");
        if (callback.Length > 0)
        {
            Console.WriteLine($"    callback → answer applied (emulator-measured): p50 {P(callback, 0.5):0.0} ms, p95 {P(callback, 0.95):0.0} ms, p99 {P(callback, 0.99):0.0} ms, max {callback[^1]:0.0} ms");
            Console.WriteLine($"    inside the client (frame in → ACK ready):     p50 {P(inClient, 0.5):0.0} ms, p95 {P(inClient, 0.95):0.0} ms, p99 {P(inClient, 0.99):0.0} ms, max {inClient[^1]:0.0} ms");
            Console.WriteLine($"    tap request round trip:                       p50 {P(roundTrip, 0.5):0.0} ms, p95 {P(roundTrip, 0.95):0.0} ms, p99 {P(roundTrip, 0.99):0.0} ms, max {roundTrip[^1]:0.0} ms");
        }
    }

    private static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static async Task<List<string>> CreateCardsAsync(WebApplication client, ApproveAllInbox inbox, string prefix, int count)
    {
        var notifier = client.Services.GetRequiredService<IApprovalNotifier>();
        var policy = new ScalePolicy { Spec = new ScalePolicySpec { Approval = new ApprovalSpec { OpenConversationId = Group } } };
        var names = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
        {
            var proposal = inbox.Add(name);
            var reference = await notifier.SendProposalAsync(proposal, policy, ct);
            if (reference.Error is not null)
            {
                throw new InvalidOperationException($"card {name}: {reference.Error}");
            }
        });
        return [.. names.Select(n => ProposalIdentity.ToOutTrackId("bench", n))];
    }

    private static async Task<WebApplication> StartClientAsync(string emulatorBase, ApproveAllInbox inbox)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ScaleControl:DingTalk:ApiBaseUrl"] = emulatorBase,
            ["ScaleControl:DingTalk:OapiBaseUrl"] = emulatorBase,
            ["ScaleControl:DingTalk:AppKey"] = "dingsandboxappkey001",
            ["ScaleControl:DingTalk:AppSecret"] = "sandbox-app-secret-0123456789abcdef",
            ["ScaleControl:DingTalk:CardTemplateId"] = "scalecontrol-approval.schema",
        });
        builder.Services.AddSingleton<IApprovalInbox>(inbox);
        builder.Services.AddSingleton<IUndoInbox>(inbox);
        builder.Services.AddScaleControlDingTalk(builder.Configuration);
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    private static async Task WaitForConnectionAsync(HttpClient script)
    {
        for (var i = 0; i < 500; i++)
        {
            var connections = await script.GetFromJsonAsync<JsonElement[]>("stream/connections");
            if (connections!.Any(c => c.GetProperty("isOpen").GetBoolean()))
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the DingTalk client opened no Stream connection");
    }

    /// <summary>Collects the client's own <c>scalecontrol.dingtalk.callback.duration</c> measurements.</summary>
    private sealed class ClientCallbackTimes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<double> _values = new();

        public ClientCallbackTimes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DingTalkMetrics.MeterName && instrument.Name == DingTalkMetrics.CallbackDurationName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _values.Enqueue(value));
            _listener.Start();
        }

        public void Clear() => _values.Clear();

        public double[] Sorted() => [.. _values.Order()];

        public void Dispose() => _listener.Dispose();
    }

    private sealed record TapResult(string Status, double CallbackMs, double RoundTripMs);

    /// <summary>Approves every first tap at once (the product's rules are the server's; this measures the DingTalk path).</summary>
    private sealed class ApproveAllInbox : IApprovalInbox, IUndoInbox
    {
        public Task<UndoResult> UndoAsync(UndoOrder order, CancellationToken cancellationToken) =>
            Task.FromResult(new UndoResult(UndoResultKind.Refused, "the benchmark measures approvals only"));

        private readonly ConcurrentDictionary<string, ScaleProposal> _proposals = new();

        public ScaleProposal Add(string name)
        {
            var proposal = new ScaleProposal
            {
                Metadata = new ObjectMeta { Namespace = "bench", Name = name },
                Spec = new ScaleProposalSpec
                {
                    Target = new TargetRef { Name = "checkout-api" },
                    FromReplicas = 20,
                    ToReplicas = 60,
                    Approvers = ["zhangsan"],
                    Reason = "benchmark",
                    ExpiresAt = DateTimeOffset.UnixEpoch.AddYears(100),
                },
            };
            _proposals[name] = proposal;
            return proposal;
        }

        public Task<ApprovalResult> DecideAsync(ApprovalCommand command, CancellationToken cancellationToken)
        {
            var proposal = _proposals[command.ProposalName];
            var applied = proposal with
            {
                Status = new ScaleProposalStatus
                {
                    Phase = ProposalPhase.Applied,
                    Approvals = [new ApprovalRecord { User = command.User, Channel = command.Channel, At = TimeProvider.System.GetUtcNow(), Replicas = 60 }],
                    AppliedReplicas = 60,
                    AppliedAt = TimeProvider.System.GetUtcNow(),
                },
            };
            _proposals[command.ProposalName] = applied;
            return Task.FromResult(new ApprovalResult(ApprovalResultKind.Accepted, "ok", applied));
        }
    }
}
