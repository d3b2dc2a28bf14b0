using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ScaleControl.Policies.Yaml;

/// <summary>
/// Reads and writes ScalePolicy YAML (<c>apiVersion: scalecontrol.io/v1alpha1</c>, <c>kind: ScalePolicy</c>,
/// metadata/spec, camelCase fields, enums by name), one or several documents per file, the same shape
/// <c>kubectl apply</c> takes. Malformed YAML raises <see cref="PolicyYamlException"/> with line and column.
/// Loading checks shape only; run <see cref="ScalePolicyValidator"/> for the rules.
/// </summary>
public static class PolicyYaml
{
    private static readonly IDeserializer s_deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithTypeConverter(new DateTimeOffsetYamlConverter())
        .WithTypeConverter(new EnumNameYamlConverter())
        .WithAttributeOverride<ScalePolicy>(p => p.Key, new YamlIgnoreAttribute())
        // The model exposes read-only collection interfaces; YamlDotNet needs concrete types to fill.
        .WithTypeMapping<IReadOnlyList<MetricSpec>, List<MetricSpec>>()
        .WithTypeMapping<IReadOnlyList<ScheduleSpec>, List<ScheduleSpec>>()
        .WithTypeMapping<IReadOnlyList<ExpectedEventSpec>, List<ExpectedEventSpec>>()
        .WithTypeMapping<IReadOnlyList<Condition>, List<Condition>>()
        .WithTypeMapping<IReadOnlyList<string>, List<string>>()
        .WithTypeMapping<IReadOnlyDictionary<string, string>, Dictionary<string, string>>()
        .Build();

    private static readonly ISerializer s_serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithTypeConverter(new DateTimeOffsetYamlConverter())
        .WithAttributeOverride<ScalePolicy>(p => p.Key, new YamlIgnoreAttribute())
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .DisableAliases()
        .Build();

    /// <summary>Loads exactly one policy.</summary>
    public static ScalePolicy Load(string yaml, string source = "policy")
    {
        var all = LoadAll(yaml, source);
        return all.Count == 1
            ? all[0]
            : throw new PolicyYamlException($"{source}: expected exactly one ScalePolicy document, found {all.Count}.", null, null);
    }

    /// <summary>Loads every document of a (possibly multi-document) YAML text; empty documents are skipped.</summary>
    public static IReadOnlyList<ScalePolicy> LoadAll(string yaml, string source = "policy")
    {
        var policies = new List<ScalePolicy>();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            parser.Consume<StreamStart>();
            while (parser.Accept<DocumentStart>(out _))
            {
                if (s_deserializer.Deserialize<ScalePolicy?>(parser) is { } policy)
                {
                    policies.Add(policy);
                }
            }
        }
        catch (YamlException e)
        {
            throw PolicyYamlException.From(source, e);
        }

        return policies;
    }

    public static IReadOnlyList<ScalePolicy> LoadFile(string path) => LoadAll(File.ReadAllText(path), path);

    public static string Save(ScalePolicy policy) => s_serializer.Serialize(policy);
}
