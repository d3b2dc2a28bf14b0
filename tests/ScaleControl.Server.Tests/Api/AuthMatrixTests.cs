using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>Every route family × every kind of caller: 401 without a valid token, 403 without the role or namespace.</summary>
public sealed class AuthMatrixTests : IClassFixture<ServerFactory>, IAsyncLifetime
{
    private readonly ServerFactory _server;

    public AuthMatrixTests(ServerFactory server) => _server = server;

    public async Task InitializeAsync()
    {
        _server.Workloads.Add("shop", "checkout-api", 4);
        _server.Workloads.Add("video", "video-transcoder", 4);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string, string?, HttpStatusCode> Matrix() => new()
    {
        // Reads: any valid token.
        { "GET", "/api/v1/policies", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/v1/policies", "not-a-token", HttpStatusCode.Unauthorized },
        { "GET", "/api/v1/policies", ViewerToken, HttpStatusCode.OK },
        { "GET", "/api/v1/proposals", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/v1/proposals", ViewerToken, HttpStatusCode.OK },
        { "GET", "/api/v1/history", ViewerToken, HttpStatusCode.OK },
        { "GET", "/api/v1/status", ViewerToken, HttpStatusCode.OK },
        { "GET", "/api/v1/dashboard", ShopOperatorToken, HttpStatusCode.OK },
        { "GET", "/api/v1/status", null, HttpStatusCode.Unauthorized },

        // Policy writes: admin only.
        { "PUT", "/api/v1/policies/shop/new-api", ViewerToken, HttpStatusCode.Forbidden },
        { "PUT", "/api/v1/policies/shop/new-api", ShopOperatorToken, HttpStatusCode.Forbidden },
        { "PUT", "/api/v1/policies/shop/new-api", AdminToken, HttpStatusCode.Created },
        { "DELETE", "/api/v1/policies/shop/nothing-here", ShopOperatorToken, HttpStatusCode.Forbidden },
        { "DELETE", "/api/v1/policies/shop/nothing-here", AdminToken, HttpStatusCode.NotFound },

        // Overrides: operators in their namespaces, admins everywhere.
        { "POST", "/api/v1/policies/shop/checkout-api/freeze", ViewerToken, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/policies/shop/checkout-api/freeze", ShopOperatorToken, HttpStatusCode.OK },
        { "POST", "/api/v1/policies/video/video-transcoder/freeze", ShopOperatorToken, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/policies/video/video-transcoder/freeze", AdminToken, HttpStatusCode.OK },
        { "DELETE", "/api/v1/policies/shop/checkout-api/freeze", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/v1/workloads/video/video-transcoder/pin", ShopOperatorToken, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/workloads/shop/checkout-api/pin", ViewerToken, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/workloads/shop/no-such-workload/pin", ShopOperatorToken, HttpStatusCode.NotFound },

        // Approvals: operators in the namespace (the approver roster is checked after that).
        { "POST", "/api/v1/proposals/shop/none/approve", ViewerToken, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/proposals/video/none/approve", ShopOperatorToken, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/proposals/shop/none/approve", ShopOperatorToken, HttpStatusCode.NotFound },
        { "POST", "/api/v1/proposals/shop/none/reject", null, HttpStatusCode.Unauthorized },

        // Dry runs are reads.
        { "POST", "/api/v1/policies/validate", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/v1/policies/shop/checkout-api/evaluate", ViewerToken, HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Route_Caller_GetsExpectedStatus(string method, string route, string? token, HttpStatusCode expected)
    {
        using var client = _server.ClientWith(token);
        using var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = Body(route) };

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if ((int)expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Health_WithoutToken_IsOpen()
    {
        using var client = _server.ClientWith(null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Forbidden_SaysWhoAndWhy()
    {
        using var client = _server.ClientWith(ShopOperatorToken);
        using var response = await client.PostJson("/api/v1/policies/video/video-transcoder/freeze", new { durationSeconds = 60, reason = "x" });

        var problem = await response.ReadJson();
        Assert.Contains("shopper", problem.GetProperty("detail").GetString());
        Assert.Contains("video", problem.GetProperty("detail").GetString());
    }

    /// <summary>
    /// Every route that is not a GET, found in the server's own route table (so a route added later is covered without
    /// being listed): refused to a viewer, and to an operator of other namespaces before anything is looked up — except
    /// the three dry runs, which are reads and named here on purpose.
    /// </summary>
    [Fact]
    public async Task EveryRouteThatIsNotAGet_RefusedToViewers_AndToOperatorsOfOtherNamespaces()
    {
        string[] dryRuns = ["POST /api/v1/policies/validate", "POST /api/v1/policies/{ns}/{name}/evaluate", "POST /api/v1/policies/{ns}/{name}/whatif"];
        var routes = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Where(m => m != "GET")
                .Select(m => (Route: $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}", Changes: e.Metadata.GetOrderedMetadata<IAuthorizeData>()
                    .Any(a => a.Policy is AccessPolicies.Operator or AccessPolicies.Admin))))
            .ToList();
        using var viewer = _server.ClientWith(ViewerToken);
        using var shopOperator = _server.ClientWith(ShopOperatorToken);

        Assert.Equal(dryRuns.Order(), routes.Where(r => !r.Changes).Select(r => r.Route).Order());
        Assert.True(routes.Count(r => r.Changes) >= 11, string.Join(", ", routes)); // the 11 of this writing
        foreach (var (route, _) in routes.Where(r => r.Changes))
        {
            var (method, path) = (route.Split(' ')[0], System.Text.RegularExpressions.Regex.Replace(route.Split(' ')[1], @"\{(\w+)\}",
                m => m.Groups[1].Value switch { "ns" => "video", "name" => "video-transcoder", _ => "push-1" }));
            foreach (var client in new[] { viewer, shopOperator })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Body(path) };
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route} as {client.DefaultRequestHeaders.Authorization}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static HttpContent? Body(string route) => route switch
    {
        _ when route.EndsWith("/expected-events", StringComparison.Ordinal) => Json(new { at = "2026-11-25T18:00:00Z", durationSeconds = 600, replicas = 6, reason = "push" }),
        _ when route.EndsWith("/undo", StringComparison.Ordinal) => Json(new { reason = "back" }),
        _ when route.EndsWith("/freeze", StringComparison.Ordinal) => Json(new { durationSeconds = 60, reason = "maintenance" }),
        _ when route.EndsWith("/pin", StringComparison.Ordinal) => Json(new { replicas = 5, durationSeconds = 60, reason = "launch" }),
        _ when route.EndsWith("/approve", StringComparison.Ordinal) => Json(new { replicas = (int?)null }),
        _ when route.EndsWith("/reject", StringComparison.Ordinal) => Json(new { reason = "no" }),
        _ when route.EndsWith("/validate", StringComparison.Ordinal) || route.Contains("/policies/shop/new-api", StringComparison.Ordinal) =>
            Json(TestPolicies.Approval("shop", "new-api")),
        _ => null,
    };

    private static StringContent Json<T>(T value) =>
        new(System.Text.Json.JsonSerializer.Serialize(value, Http.Json), System.Text.Encoding.UTF8, "application/json");
}
