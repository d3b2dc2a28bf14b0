using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ScaleControl.Policies.Yaml;

/// <summary>ISO-8601 timestamps (with offset; a missing offset means UTC), as Kubernetes writes them.</summary>
internal sealed class DateTimeOffsetYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var scalar = parser.Consume<Scalar>();
        if (type == typeof(DateTimeOffset?) && scalar.Value is "" or "~" or "null")
        {
            return null;
        }

        return DateTimeOffset.TryParse(scalar.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new YamlException(scalar.Start, scalar.End, $"'{scalar.Value}' is not an ISO-8601 time such as 2027-02-05T19:50:00+08:00.");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer)
    {
        var text = value is DateTimeOffset time ? time.ToString("O", CultureInfo.InvariantCulture) : "";
        emitter.Emit(new Scalar(text));
    }
}
