using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// apimachinery's ValidateObjectMeta: the name's format per kind (RFC 1123 subdomain for most, label for namespaces,
/// DNS-1035 label for services, a path segment for RBAC objects), label keys and values, annotation keys and their
/// total size, with the apiserver's messages.
/// </summary>
internal static partial class ObjectMetaRules
{
    private const int MaxAnnotationBytes = 256 * 1024;

    private const string SubdomainRegex = @"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const string LabelRegex = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1035Regex = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string NamePartRegex = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueRegex = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

    /// <summary>The name's errors: only on create, since a name never changes.</summary>
    public static IEnumerable<FieldError> Name(ResourceType type, string name)
    {
        var field = "metadata.name";
        if (type.Group == "rbac.authorization.k8s.io")
        {
            return name is "." or ".." ? [FieldError.Invalid(field, name, $"may not be '{name}'")]
                : name.Contains('/', StringComparison.Ordinal) ? [FieldError.Invalid(field, name, "may not contain '/'")]
                : name.Contains('%', StringComparison.Ordinal) ? [FieldError.Invalid(field, name, "may not contain '%'")]
                : [];
        }

        return type.Kind switch
        {
            "Namespace" => Label(field, name),
            "Service" => Dns1035(field, name),
            _ => Subdomain(field, name),
        };
    }

    /// <summary>Errors of the labels and annotations (checked when a write changes them).</summary>
    public static IEnumerable<FieldError> LabelsAndAnnotations(JsonObject metadata, JsonObject? before)
    {
        if (!JsonNode.DeepEquals(metadata["labels"], before?["labels"]) && metadata["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                foreach (var error in QualifiedName("metadata.labels", key))
                {
                    yield return error;
                }

                var text = value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString() ?? "";
                if (text.Length > 63)
                {
                    yield return FieldError.Invalid("metadata.labels", text, "must be no more than 63 characters");
                }

                if (!LabelValue().IsMatch(text))
                {
                    yield return FieldError.Invalid("metadata.labels", text,
                        $"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '{LabelValueRegex}')");
                }
            }
        }

        if (!JsonNode.DeepEquals(metadata["annotations"], before?["annotations"]) && metadata["annotations"] is JsonObject annotations)
        {
            var size = 0;
            foreach (var (key, value) in annotations)
            {
                foreach (var error in QualifiedName("metadata.annotations", key.ToLowerInvariant()))
                {
                    yield return error;
                }

                size += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString() ?? "");
            }

            if (size > MaxAnnotationBytes)
            {
                yield return FieldError.TooLong("metadata.annotations", MaxAnnotationBytes);
            }
        }
    }

    // A label or annotation key: an optional DNS subdomain prefix and "/", then a name part of at most 63 characters.
    private static IEnumerable<FieldError> QualifiedName(string field, string key)
    {
        var slash = key.Split('/');
        var (prefix, name) = slash.Length switch
        {
            1 => ("", key),
            2 => (slash[0], slash[1]),
            _ => ((string?)null, key),
        };
        if (prefix is null)
        {
            yield return FieldError.Invalid(field, key,
                $"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{NamePartRegex}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            yield break;
        }

        if (slash.Length == 2 && prefix.Length == 0)
        {
            yield return FieldError.Invalid(field, key, "prefix part must be non-empty");
        }
        else if (prefix.Length > 0)
        {
            foreach (var error in Subdomain(field, prefix))
            {
                yield return error with { Value = key, Detail = "prefix part " + error.Detail };
            }
        }

        if (name.Length == 0)
        {
            yield return FieldError.Invalid(field, key, "name part must be non-empty");
        }
        else if (name.Length > 63)
        {
            yield return FieldError.Invalid(field, key, "name part must be no more than 63 characters");
        }

        if (name.Length > 0 && !NamePart().IsMatch(name))
        {
            yield return FieldError.Invalid(field, key,
                $"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{NamePartRegex}')");
        }
    }

    private static IEnumerable<FieldError> Subdomain(string field, string value)
    {
        if (value.Length > 253)
        {
            yield return FieldError.Invalid(field, value, "must be no more than 253 characters");
        }

        if (!SubdomainName().IsMatch(value))
        {
            yield return FieldError.Invalid(field, value,
                $"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{SubdomainRegex}')");
        }
    }

    private static IEnumerable<FieldError> Label(string field, string value)
    {
        if (value.Length > 63)
        {
            yield return FieldError.Invalid(field, value, "must be no more than 63 characters");
        }

        if (!LabelName().IsMatch(value))
        {
            yield return FieldError.Invalid(field, value,
                $"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '{LabelRegex}')");
        }
    }

    private static IEnumerable<FieldError> Dns1035(string field, string value)
    {
        if (value.Length > 63)
        {
            yield return FieldError.Invalid(field, value, "must be no more than 63 characters");
        }

        if (!Dns1035Name().IsMatch(value))
        {
            yield return FieldError.Invalid(field, value,
                $"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '{Dns1035Regex}')");
        }
    }

    [GeneratedRegex("^" + SubdomainRegex + "$")]
    private static partial Regex SubdomainName();

    [GeneratedRegex("^" + LabelRegex + "$")]
    private static partial Regex LabelName();

    [GeneratedRegex("^" + Dns1035Regex + "$")]
    private static partial Regex Dns1035Name();

    [GeneratedRegex("^" + NamePartRegex + "$")]
    private static partial Regex NamePart();

    [GeneratedRegex("^" + LabelValueRegex + "$")]
    private static partial Regex LabelValue();
}
