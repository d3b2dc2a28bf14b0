using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// Reads a stored custom object into the Core model. A ScalePolicy that does not read (a number beyond int32, which a
/// CRD installed before its schema had maxima lets through — <c>helm upgrade</c> leaves CRDs as they were) becomes a
/// stand-in (<see cref="ScalePolicy.Unreadable"/>) instead of being skipped: skipped, the watch cache kept the version
/// before the edit and the loop went on acting on a spec that was no longer stored, with nothing on the policy to say
/// so. A ScaleProposal that does not read is no proposal of ScaleControl's (it writes them; someone else wrote this
/// one): it is read as absent (null), and a watch event for it takes it out of the cache (<see cref="Gone{TModel}"/>)
/// rather than leaving the version before the edit there to be approved.
/// </summary>
public static class CustomResourceReader
{
    /// <param name="problem">What could not be read (for the log), null when it all was.</param>
    public static TModel? Read<TModel>(JsonElement body, out string? problem)
        where TModel : class
    {
        problem = null;
        try
        {
            return body.Deserialize<TModel>(CustomResourceJson.Options) ?? throw new JsonException($"Empty {typeof(TModel).Name} body");
        }
        catch (JsonException ex)
        {
            problem = Describe(ex);
            return typeof(TModel) == typeof(ScalePolicy) && Part<ObjectMeta>(body, "metadata") is { } meta
                ? (TModel)(object)StandIn(body, meta, problem)
                : null;
        }
    }

    /// <summary>
    /// A metadata-only ScaleProposal for an unreadable one, so a watch can take its key out of the cache; null for other
    /// kinds (a policy is read as its stand-in instead) or without metadata.
    /// </summary>
    public static TModel? Gone<TModel>(JsonElement body)
        where TModel : class =>
        typeof(TModel) == typeof(ScaleProposal) && Part<ObjectMeta>(body, "metadata") is { } meta
            ? (TModel)(object)new ScaleProposal { Metadata = meta }
            : null;

    /// <summary>What could not be read, as a field path and the values the field takes.</summary>
    public static string Describe(JsonException ex)
    {
        var path = ex.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : ex.Path ?? "the object";
        var message = ex.Message.Split(" Path:", 2)[0];
        var wanted = message.Contains("System.Int32", StringComparison.Ordinal) ? "a whole number from -2147483648 to 2147483647"
            : message.Contains("System.Int64", StringComparison.Ordinal) ? "a whole number of at most 9223372036854775807"
            : message.Contains("System.Double", StringComparison.Ordinal) ? "a number"
            : message.Contains("System.DateTimeOffset", StringComparison.Ordinal) ? "an RFC 3339 time (2026-12-06T20:00:00+08:00)"
            : null;
        return wanted is null ? $"{path}: {message}" : $"{path}: the stored value is not {wanted}";
    }

    private static ScalePolicy StandIn(JsonElement body, ObjectMeta meta, string problem) => new()
    {
        Metadata = meta,
        // The target alone, so the policy keeps its workload (another policy on it stays held off) while it is unreadable.
        Spec = new ScalePolicySpec { Target = Part<TargetRef>(body, "spec", "target") ?? new TargetRef() },
        Status = Part<ScalePolicyStatus>(body, "status"),
        Unreadable = problem,
    };

    private static T? Part<T>(JsonElement body, params string[] path)
        where T : class
    {
        var element = body;
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        try
        {
            return element.Deserialize<T>(CustomResourceJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
