using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// The JSON of ScalePolicy and ScaleProposal custom resources: camelCase, enums as strings, ISO-8601 times, nulls
/// left out (a structural CRD schema rejects explicit nulls on non-nullable fields).
/// </summary>
public static class CustomResourceJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Group, version and plurals of ScaleControl's custom resources (see charts/scalecontrol/crds).</summary>
public static class ScaleControlResources
{
    public const string Group = "scalecontrol.io";
    public const string Version = "v1alpha1";
    public const string PolicyPlural = "scalepolicies";
    public const string ProposalPlural = "scaleproposals";
}
