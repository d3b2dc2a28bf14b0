using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// A person reads a policy, edits it and sends it back with the resourceVersion read. The loop writes the status in
/// between all the time: that alone is no conflict. A spec change (a freeze, a pin, another edit) or a label change
/// in between still is, with a 409 that says to read again.
/// </summary>
public sealed class PolicyEditRaceTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task StatusWrittenBetweenReadAndReplace_EditGoesThrough_StatusKept()
    {
        var (client, read) = await ReadAsync("race-status");
        var written = await server.Policies.UpdateStatusAsync(Stored("race-status") with { Status = new ScalePolicyStatus { LastReason = "the loop's tick", DesiredReplicas = 7 } }, default);
        Assert.NotEqual(read["metadata"]!["resourceVersion"]!.GetValue<string>(), written.Metadata.ResourceVersion);

        read["spec"]!["maxReplicas"] = 33;
        using var replaced = await client.PutAsJsonAsync("/api/v1/policies/race/race-status", read);

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var stored = Stored("race-status");
        Assert.Equal(33, stored.Spec.MaxReplicas);
        Assert.Equal("the loop's tick", stored.Status!.LastReason);
        Assert.Equal(7, stored.Status.DesiredReplicas);
    }

    [Fact]
    public async Task SpecChangedBetweenReadAndReplace_Is409_AndTheOtherChangeStays()
    {
        var (client, read) = await ReadAsync("race-spec");
        var current = Stored("race-spec");
        await server.Policies.UpsertAsync(current with { Spec = current.Spec with { MinReplicas = 4 } }, default); // say, a pin

        read["spec"]!["maxReplicas"] = 33;
        using var replaced = await client.PutAsJsonAsync("/api/v1/policies/race/race-spec", read);

        Assert.Equal(HttpStatusCode.Conflict, replaced.StatusCode);
        Assert.Contains("read it again", await replaced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(4, Stored("race-spec").Spec.MinReplicas);
        Assert.NotEqual(33, Stored("race-spec").Spec.MaxReplicas);
    }

    [Fact]
    public async Task LabelChangedBetweenReadAndReplace_Is409()
    {
        var (client, read) = await ReadAsync("race-label");
        var current = Stored("race-label");
        await server.Policies.UpsertAsync(current with { Metadata = current.Metadata with { Labels = new Dictionary<string, string> { ["team"] = "feed" } } }, default);

        read["spec"]!["maxReplicas"] = 33;
        using var replaced = await client.PutAsJsonAsync("/api/v1/policies/race/race-label", read);

        Assert.Equal(HttpStatusCode.Conflict, replaced.StatusCode);
        Assert.Equal("feed", Stored("race-label").Metadata.Labels!["team"]);
    }

    private async Task<(HttpClient Client, JsonObject Read)> ReadAsync(string name)
    {
        await server.Policies.UpsertAsync(TestPolicies.Auto("race", name), default);
        var client = server.ClientWith(AdminToken);
        var read = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/policies/race/{name}"))!;
        read.Remove("status");
        read.Remove("key");
        return (client, read);
    }

    private ScalePolicy Stored(string name) => server.Policies.GetCurrentAsync("race", name, default).Result!;
}
