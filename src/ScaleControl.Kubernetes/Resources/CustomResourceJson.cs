using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// The JSON of ScalePolicy and ScaleProposal custom resources: camelCase, enums as strings, ISO-8601 times, nulls
/// left out (a structural CRD schema rejects explicit nulls on non-nullable fields), and computed get-only
/// properties such as <c>Key</c> left out (the API server would prune them; they are not part of the resource).
/// </summary>
public static class CustomResourceJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipComputedProperties } },
    };

    private static void SkipComputedProperties(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var computed in type.Properties.Where(p => p.Set is null).ToList())
        {
            type.Properties.Remove(computed);
        }
    }
}

/// <summary>Group, version and plurals of ScaleControl's custom resources (see charts/scalecontrol/crds).</summary>
public static class ScaleControlResources
{
    public const string Group = "scalecontrol.io";
    public const string Version = "v1alpha1";
    public const string PolicyPlural = "scalepolicies";
    public const string ProposalPlural = "scaleproposals";
}
