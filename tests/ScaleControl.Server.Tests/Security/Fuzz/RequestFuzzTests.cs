using System.Net;
using System.Text;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Tests.Security.Fuzz;

/// <summary>
/// The fuzz corpus (<c>corpus.json</c>: malformed JSON, wrong types, unknown fields, control and bidi characters, out
/// of range, huge and deeply nested bodies) against every write endpoint, as callers who could change state with a
/// valid body: every case answers 4xx ProblemDetails naming the field (413 for a huge body, keyed <c>$</c>), never 5xx, and changes
/// nothing — policies, proposals and replicas are byte-for-byte what they were.
/// </summary>
public sealed class RequestFuzzTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    public static IReadOnlyList<string> Corpus { get; } =
        JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Security", "Fuzz", "corpus.json")))!;

    [Fact]
    public void Corpus_HasAtLeast200CasesAcrossTheEndpoints() =>
        Assert.True(Corpus.Count * 9 >= 200, $"{Corpus.Count} bodies x 9 endpoints");

    [Fact]
    public async Task EveryWriteEndpoint_EveryCorpusBody_4xxWithFieldPath_NoStateChange()
    {
        _server.Workloads.Add("shop", "checkout-api", 4);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(default);
        var pending = Assert.Single(await _server.Proposals.ListAsync("shop", default)).Metadata.Name;
        (string Url, HttpMethod Method, string Token)[] endpoints =
        [
            ("/api/v1/policies/shop/checkout-api", HttpMethod.Put, AdminToken),
            ("/api/v1/policies/validate", HttpMethod.Post, AdminToken),
            ("/api/v1/policies/shop/checkout-api/freeze", HttpMethod.Post, ZhangsanToken),
            ("/api/v1/policies/shop/checkout-api/whatif", HttpMethod.Post, ZhangsanToken),
            ("/api/v1/workloads/shop/checkout-api/pin", HttpMethod.Post, ZhangsanToken),
            ($"/api/v1/proposals/shop/{pending}/approve", HttpMethod.Post, ZhangsanToken),
            ($"/api/v1/proposals/shop/{pending}/reject", HttpMethod.Post, ZhangsanToken),
            ($"/api/v1/proposals/shop/{pending}/undo", HttpMethod.Post, ZhangsanToken),
            ("/api/v1/policies/shop/checkout-api/expected-events", HttpMethod.Post, ZhangsanToken),
        ];
        var before = await SnapshotAsync();
        var failures = new List<string>();

        foreach (var (url, method, token) in endpoints)
        {
            using var client = _server.ClientWith(token);
            foreach (var body in Corpus)
            {
                using var request = new HttpRequestMessage(method, url) { Content = new StringContent(Expand(body), Encoding.UTF8, "application/json") };
                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (Problem(response, text) is { } problem)
                {
                    failures.Add($"{method} {url} {Short(body)} → {(int)response.StatusCode}: {problem} {Short(text)}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(40)) + $"\n({failures.Count} failures)");
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(ProposalPhase.Pending, (await _server.Proposals.GetAsync("shop", pending, default))!.Status.Phase);
    }

    private static string? Problem(HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        if (status is < 400 or >= 500)
        {
            return "not a 4xx";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return "not ProblemDetails";
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any() ? null : "no field path";
    }

    private async Task<string> SnapshotAsync() => JsonSerializer.Serialize(new
    {
        policies = await _server.Policies.ListAsync(null, default),
        proposals = await _server.Proposals.ListAsync(null, default),
        replicas = _server.Workloads.Replicas("shop", "checkout-api"),
    }, Http.Json);

    /// <summary>Corpus entries too big to keep literally: <c>@huge-body:N</c>, <c>@huge-reason:N</c>, <c>@deep-nesting:N</c>.</summary>
    private static string Expand(string body) => body.Split(':', 2) switch
    {
        ["@huge-body", var n] => $"{{\"reason\":\"{new string('x', int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))}\"}}",
        ["@huge-reason", var n] => $"{{\"replicas\":5,\"durationSeconds\":60,\"reason\":\"{new string('x', int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))}\"}}",
        ["@deep-nesting", var n] => new string('[', int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)),
        _ => body,
    };

    private static string Short(string text) => text.Length > 120 ? text[..120] + "…" : text;
}
