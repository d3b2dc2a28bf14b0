using System.Net.Http.Json;
using System.Text;
using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// Secrets never leave the process: after a full incident (proposal, card, taps, approval, pin request, freeze, bad
/// requests) with debug logging on, the product's whole log (cluster mode, given the secrets as the chart's Secret would), every API response, the cards and messages in the
/// DingTalk emulator and the Kubernetes Events and ScaleProposals (read with real kubectl) are grepped for the admin
/// token, the approval signing key and the DingTalk app secret.
/// </summary>
public sealed class SecretsTests
{
    private const string AdminToken = "admin-token-SECRET-7f3a9c2e41d8";
    private const string SigningKey = "approval-signing-key-SECRET-4b1e9d7c2a6f80";
    private const string SandboxAppSecret = "sandbox-app-secret-0123456789abcdef";
    private const string Viewer = "sandbox-viewer";

    [Fact]
    public async Task FullIncidentWithDebugLogs_NoSecretInLogsApiCardsEventsOrProposals()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(
            ("SCALECONTROL_ADMIN_TOKEN", AdminToken),
            ("ScaleControl__Approvals__SigningKey", SigningKey),
            ("Logging__LogLevel__Default", "Debug"),
            ("ScaleControl__Sandbox__FlatTraffic", "true")));
        var captured = new StringBuilder();
        using var admin = server.Client(AdminToken);

        // A settled event: the proposal cannot be amended between reading it and the taps.
        await SettledHotEvent.StartAsync(server, "shop", "checkout-api", 4);
        var proposal = await ApprovalFlowTests.StablePendingAsync(server);
        var name = proposal.GetProperty("metadata").GetProperty("name").GetString()!;
        // The card reaches the group after the proposal is stored: a tap before it arrives finds no card (a CI run on a
        // loaded machine tapped into nothing and waited for an Applied that could not come).
        await server.Eventually(async () => (await ApprovalFlowTests.Card(server, $"shop.{name}")).GetProperty("cardData").GetProperty("status").GetString() == "pending", "the card is in the group");
        foreach (var user in new[] { "wangwu", "zhangsan" })
        {
            using var tap = await server.SandboxHttp.PostAsync($"/sandbox/dingtalk/cards/shop.{name}/tap",
                JsonContent.Create(new { userId = user, actionIds = new[] { "approve" }, @params = new { action = "approve" } }));
            captured.AppendLine(await tap.Content.ReadAsStringAsync());
        }

        await server.Eventually(async () => (await server.GetJson($"/api/v1/proposals/shop/{name}", Viewer)).GetProperty("status").GetProperty("phase").GetString() == "Applied", "the proposal is applied");
        async Task Send(HttpMethod method, string path, object? body = null, HttpClient? client = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await (client ?? (path.StartsWith("/sandbox/", StringComparison.Ordinal) ? server.SandboxHttp : admin)).SendAsync(request);
            captured.AppendLine(await response.Content.ReadAsStringAsync());
        }

        await Send(HttpMethod.Post, "/api/v1/workloads/feed/feed-service/pin", new { replicas = 9, durationSeconds = 60, reason = "sale" });
        await Send(HttpMethod.Post, "/api/v1/policies/video/video-transcoder/freeze", new { durationSeconds = 60, reason = "migration" });
        await Send(HttpMethod.Post, "/api/v1/workloads/shop/checkout-api/pin", new { replicas = "many" });
        await Send(HttpMethod.Post, "/api/v1/policies/validate", "{");
        using (var wrong = server.Client(AdminToken + "-wrong"))
        {
            await Send(HttpMethod.Get, "/api/v1/policies", client: wrong);
        }

        foreach (var path in new[] { "/api/v1/policies", "/api/v1/proposals", "/api/v1/history", "/api/v1/status", "/api/v1/dashboard", "/openapi/v1.json",
                     "/sandbox/dingtalk/cards", "/sandbox/dingtalk/messages", "/metrics" })
        {
            await Send(HttpMethod.Get, path);
        }

        captured.AppendLine((await server.Kubectl.RunAsync("get", "events", "-A", "-o", "yaml")).StdOut);
        captured.AppendLine((await server.Kubectl.RunAsync("get", "scaleproposals,scalepolicies", "-A", "-o", "yaml")).StdOut);
        captured.AppendLine(server.Output);

        var everything = captured.ToString();
        Assert.Contains(name, everything); // the capture holds the incident
        Assert.Contains("ScaledByScaleControl", everything);
        foreach (var secret in new[] { AdminToken, SigningKey, SandboxAppSecret })
        {
            Assert.False(everything.Contains(secret, StringComparison.Ordinal), $"'{secret[..12]}…' leaked:\n{Around(everything, secret)}");
        }
    }

    private static string Around(string text, string secret)
    {
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        return text.Substring(Math.Max(0, at - 300), Math.Min(600 + secret.Length, text.Length - Math.Max(0, at - 300)));
    }
}
