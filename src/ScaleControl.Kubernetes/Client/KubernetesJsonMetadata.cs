using System.Text.Json.Serialization.Metadata;
using k8s;

namespace ScaleControl.Kubernetes.Client;

/// <summary>
/// Makes KubernetesClient build JSON metadata by reflection, only for the few types ScaleControl sends and reads.
/// Its default resolver asks the library's source-generated context first, whose type switch names every model
/// type: compiling it loads all of them (~2 MB resident). Reflection is the library's own fallback path.
/// </summary>
internal static class KubernetesJsonMetadata
{
    private static int _applied;

    public static void UseReflection()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1)
        {
            return;
        }

        KubernetesJson.AddJsonOptions(options =>
        {
            if (!options.IsReadOnly)
            {
                options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
            }
        });
    }
}
