using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// A list request's <c>limit</c> and <c>continue</c>. The token is the apiserver's: base64 of
/// <c>{"v":"meta.k8s.io/v1","rv":N,"start":"key\0"}</c>, the key after the last one returned.
/// </summary>
internal sealed record ListPage(int Limit, long? ResourceVersion, string? Start)
{
    private const int MaxTokenLength = 4096;

    public static ListPage All { get; } = new(0, null, null);

    public static ListPage Parse(string? limit, string? token)
    {
        var count = 0;
        if (!string.IsNullOrEmpty(limit) && !int.TryParse(limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count))
        {
            throw ApiErrors.BadRequest($"invalid limit: \"{limit}\"");
        }

        if (string.IsNullOrEmpty(token))
        {
            return new(Math.Max(count, 0), null, null);
        }

        try
        {
            if (token.Length > MaxTokenLength)
            {
                throw new FormatException("too long");
            }

            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)))?.AsObject() ?? throw new FormatException("empty");
            if ((string?)json["v"] != "meta.k8s.io/v1" || json["rv"]?.GetValue<long>() is not > 0 || json["start"]?.GetValue<string>() is not { Length: > 0 } start)
            {
                throw new FormatException("unknown version or missing fields");
            }

            return new(Math.Max(count, 0), json["rv"]!.GetValue<long>(), start);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw ApiErrors.BadRequest($"invalid continue token: {e.Message}");
        }
    }

    public static string Key(string ns, string name) => ns.Length == 0 ? name : $"{ns}/{name}";

    public static string Token(long resourceVersion, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["v"] = "meta.k8s.io/v1",
            ["rv"] = resourceVersion,
            ["start"] = lastKey + "\0",
        }.ToJsonString()));
}
