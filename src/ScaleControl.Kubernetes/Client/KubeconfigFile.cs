using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ScaleControl.Kubernetes.Client;

/// <summary>
/// Reads a kubeconfig with a plain YamlDotNet deserializer. KubernetesClient's own loader goes through
/// <c>KubernetesYaml</c>, whose static setup reflects over every model type of the library (~6,000 types,
/// ~17 MB resident for the life of the process) just to read a dozen kubeconfig fields.
/// </summary>
internal static class KubeconfigFile
{
    // The kubeconfig models carry their YAML names; the settings match KubernetesYaml's lenient reader.
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithAttemptingUnquotedStringTypeDeserialization()
        .IgnoreUnmatchedProperties()
        .Build();

    public static KubernetesClientConfiguration Load(string path, string? context)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        }

        K8SConfiguration config;
        using (var reader = file.OpenText())
        {
            config = Deserializer.Deserialize<K8SConfiguration>(reader)
                ?? throw new KubeConfigException($"kubeconfig file {file.FullName} is empty");
        }

        config.FileName = file.FullName; // relative certificate paths resolve against the kubeconfig's folder
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context);
    }
}
