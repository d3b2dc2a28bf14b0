using System.Net;
using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Services as kube-apiserver defaults and allocates them, seen through real kubectl: type, session affinity, IP
/// family and traffic policies, port protocol and targetPort; a cluster IP from 10.96.0.0/12 and node ports from
/// 30000–32767, unique across Services; kept when a client leaves them out, immutable when it changes them.
/// </summary>
public sealed class ServiceDefaultsTests
{
    private const string Services = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: shop}
        spec:
          clusterIP: None
          selector: {app: db}
          ports: [{port: 5432, targetPort: sql}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: edge, namespace: shop}
        spec:
          type: NodePort
          selector: {app: edge}
          ports: [{name: http, port: 80, targetPort: 8080}, {name: dns, port: 53, protocol: UDP}]
        """;

    [Fact]
    public async Task GetService_AfterCreate_ShowsTheApiserversDefaultsAndUniqueAllocations()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("create", "-f", kubectl.WriteFile("svc.yaml", Services));
        var web = await GetAsync(kubectl, "web");
        var db = await GetAsync(kubectl, "db");
        var edge = await GetAsync(kubectl, "edge");
        var table = (await kubectl.RunAsync("get", "svc", "-n", "shop", "-o", "wide")).StdOut;

        var spec = web["spec"]!;
        Assert.Equal(("ClusterIP", "None", "SingleStack", "Cluster"),
            ((string?)spec["type"], (string?)spec["sessionAffinity"], (string?)spec["ipFamilyPolicy"], (string?)spec["internalTrafficPolicy"]));
        Assert.Equal("""["IPv4"]""", spec["ipFamilies"]!.ToJsonString());
        Assert.Equal("""[{"name":"http","port":80,"protocol":"TCP","targetPort":80}]""", spec["ports"]!.ToJsonString());
        Assert.Null(spec["externalTrafficPolicy"]);
        Assert.Equal("""{"loadBalancer":{}}""", web["status"]!.ToJsonString());
        var webIp = (string)spec["clusterIP"]!;
        Assert.Equal($"""["{webIp}"]""", spec["clusterIPs"]!.ToJsonString());
        Assert.True(InServiceCidr(webIp), webIp);

        Assert.Equal(("None", """["None"]""", "SingleStack", """["IPv4"]"""),
            ((string?)db["spec"]!["clusterIP"], db["spec"]!["clusterIPs"]!.ToJsonString(), (string?)db["spec"]!["ipFamilyPolicy"], db["spec"]!["ipFamilies"]!.ToJsonString()));
        Assert.Equal("sql", (string?)db["spec"]!["ports"]![0]!["targetPort"]);

        var edgeIp = (string)edge["spec"]!["clusterIP"]!;
        var nodePorts = edge["spec"]!["ports"]!.AsArray().Select(p => (int)p!["nodePort"]!).ToList();
        Assert.True(InServiceCidr(edgeIp) && edgeIp != webIp, edgeIp);
        Assert.Equal("Cluster", (string?)edge["spec"]!["externalTrafficPolicy"]);
        Assert.All(nodePorts, p => Assert.InRange(p, 30000, 32767));
        Assert.Equal(2, nodePorts.Distinct().Count());
        Assert.Equal(["TCP:8080", "UDP:53"], edge["spec"]!["ports"]!.AsArray().Select(p => $"{p!["protocol"]}:{p["targetPort"]}"));
        Assert.Matches($@"(?m)^edge\s+NodePort\s+{Regex(edgeIp)}\s+<none>\s+80:{nodePorts[0]}/TCP,53:{nodePorts[1]}/UDP\s+\S+\s+app=edge$", table);
        Assert.Matches(@"(?m)^db\s+ClusterIP\s+None\s+<none>\s+5432/TCP\s+\S+\s+app=db$", table);
    }

    [Fact]
    public async Task ClusterIP_KeptWhenLeftOut_ImmutableWhenChanged()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var manifest = kubectl.WriteFile("web.yaml", Services.Split("---")[0]);

        await kubectl.RunAsync("apply", "-f", manifest);
        var ip = (string?)(await GetAsync(kubectl, "web"))["spec"]!["clusterIP"];
        var diff = await kubectl.RunRawAsync("diff", "-f", manifest);
        await kubectl.RunAsync("replace", "-f", manifest);
        await kubectl.RunAsync("apply", "--server-side", "-f", manifest);
        var afterReplaceAndApply = await GetAsync(kubectl, "web");
        var serverSideDiff = await kubectl.RunRawAsync("diff", "--server-side", "-f", manifest);
        var changed = await kubectl.RunRawAsync("patch", "svc", "web", "-n", "shop", "-p", """{"spec":{"clusterIP":"10.96.0.99"}}""");
        var unset = await kubectl.RunRawAsync("patch", "svc", "web", "-n", "shop", "--type=json", "-p",
            """[{"op":"remove","path":"/spec/clusterIP"},{"op":"remove","path":"/spec/clusterIPs"}]""");

        Assert.Equal(ip, (string?)afterReplaceAndApply["spec"]!["clusterIP"]);
        Assert.Equal($"""["{ip}"]""", afterReplaceAndApply["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Equal((0, ""), (diff.ExitCode, diff.StdOut + diff.StdErr));
        Assert.Equal((0, ""), (serverSideDiff.ExitCode, serverSideDiff.StdOut + serverSideDiff.StdErr));
        Assert.Equal(1, changed.ExitCode);
        Assert.Equal("""The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set""", changed.StdErr.Trim());
        Assert.Equal(0, unset.ExitCode); // left out is kept, not unset
        Assert.Equal(ip, (string?)(await GetAsync(kubectl, "web"))["spec"]!["clusterIP"]);
    }

    [Fact]
    public async Task TypeChange_NodePortsAllocatedThenDropped()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("web.yaml", Services.Split("---")[0]));

        await kubectl.RunAsync("patch", "svc", "web", "-n", "shop", "-p", """{"spec":{"type":"LoadBalancer"}}""");
        var balanced = await GetAsync(kubectl, "web");
        var pending = (await kubectl.RunAsync("get", "svc", "web", "-n", "shop")).StdOut;
        await kubectl.RunAsync("patch", "svc", "web", "-n", "shop", "-p", """{"spec":{"type":"ClusterIP"}}""");
        var back = await GetAsync(kubectl, "web");

        Assert.InRange((int)balanced["spec"]!["ports"]![0]!["nodePort"]!, 30000, 32767);
        Assert.Equal(("Cluster", true), ((string?)balanced["spec"]!["externalTrafficPolicy"], (bool?)balanced["spec"]!["allocateLoadBalancerNodePorts"]));
        Assert.Contains("<pending>", pending, StringComparison.Ordinal);
        Assert.Equal("""[{"name":"http","port":80,"protocol":"TCP","targetPort":80}]""", back["spec"]!["ports"]!.ToJsonString());
        Assert.Null(back["spec"]!["externalTrafficPolicy"]);
        Assert.Null(back["spec"]!["allocateLoadBalancerNodePorts"]);
        Assert.Equal(balanced["spec"]!["clusterIP"]!.ToJsonString(), back["spec"]!["clusterIP"]!.ToJsonString());
    }

    [Fact]
    public async Task RequestedClusterIPOrNodePort_TakenOrOutOfRange_IsTheApiserversInvalid_FreedOnDelete()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        const string Service = """
            apiVersion: v1
            kind: Service
            metadata: {name: NAME, namespace: shop}
            spec: {type: NodePort, clusterIP: ADDRESS, ports: [{port: 80, nodePort: PORT}]}
            """;
        string Write(string name, string ip, int port) => kubectl.WriteFile(name + ".yaml",
            Service.Replace("NAME", name, StringComparison.Ordinal).Replace("ADDRESS", ip, StringComparison.Ordinal).Replace("PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        await kubectl.RunAsync("create", "-f", Write("a", "10.96.0.10", 30080));
        var sameIp = await kubectl.RunRawAsync("create", "-f", Write("b", "10.96.0.10", 30081));
        var foreignIp = await kubectl.RunRawAsync("create", "-f", Write("c", "1.1.1.1", 30082));
        var samePort = await kubectl.RunRawAsync("create", "-f", Write("d", "10.96.0.11", 30080));
        var lowPort = await kubectl.RunRawAsync("create", "-f", Write("e", "10.96.0.12", 8080));
        await kubectl.RunAsync("delete", "svc", "a", "-n", "shop");
        var afterDelete = await kubectl.RunRawAsync("create", "-f", Write("b", "10.96.0.10", 30080));

        Assert.Equal((1, """The Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"""),
            (sameIp.ExitCode, sameIp.StdErr.Trim()));
        Assert.Equal((1, """The Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"""),
            (foreignIp.ExitCode, foreignIp.StdErr.Trim()));
        Assert.Equal((1, """The Service "d" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"""),
            (samePort.ExitCode, samePort.StdErr.Trim()));
        Assert.Equal((1, """The Service "e" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"""),
            (lowPort.ExitCode, lowPort.StdErr.Trim()));
        Assert.Equal(0, afterDelete.ExitCode);
    }

    [Fact]
    public async Task ConcurrentCreates_EachServiceGetsItsOwnClusterIPAndNodePort()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");

        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => sandbox.SendAsync(HttpMethod.Post, "/api/v1/namespaces/shop/services",
            $$$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s{{{i}}}"},"spec":{"type":"NodePort","ports":[{"port":80}]}}"""))));

        Assert.All(created, c => Assert.Equal((int)HttpStatusCode.Created, c.Status));
        Assert.Equal(40, created.Select(c => (string?)c.Body["spec"]!["clusterIP"]).Distinct().Count());
        Assert.Equal(40, created.Select(c => (int)c.Body["spec"]!["ports"]![0]!["nodePort"]!).Distinct().Count());
    }

    private static async Task<JsonNode> GetAsync(Kubectl kubectl, string name) =>
        JsonNode.Parse((await kubectl.RunAsync("get", "svc", name, "-n", "shop", "-o", "json")).StdOut)!;

    private static bool InServiceCidr(string ip) =>
        IPAddress.TryParse(ip, out var address) && address.GetAddressBytes() is [10, var b, _, _] && (b & 0xF0) == 96 && ip != "10.96.0.0" && ip != "10.111.255.255";

    private static string Regex(string ip) => ip.Replace(".", @"\.", StringComparison.Ordinal);
}
