using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ScaleControl.Policies.Yaml;

/// <summary>
/// Enums by name only, as the API and the CRD take them: YamlDotNet would also read <c>mode: 1</c> (or 99, or
/// <c>Auto, Approval</c>) as a value, so a typo in a number picked a mode silently.
/// </summary>
internal sealed class EnumNameYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => (Nullable.GetUnderlyingType(type) ?? type).IsEnum;

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var scalar = parser.Consume<Scalar>();
        var enumType = Nullable.GetUnderlyingType(type) ?? type;
        if (enumType != type && scalar.Value is "" or "~" or "null")
        {
            return null;
        }

        var names = Enum.GetNames(enumType);
        return names.FirstOrDefault(n => string.Equals(n, scalar.Value, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse(enumType, name)
            : throw new YamlException(scalar.Start, scalar.End, $"'{scalar.Value}' is not one of {string.Join(", ", names)}.");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        emitter.Emit(new Scalar(value?.ToString() ?? ""));
}
