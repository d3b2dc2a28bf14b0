using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Api;

internal enum FieldErrorType { Invalid, Required, Forbidden, NotSupported, TooLong }

/// <summary>One validation failure, rendered like apimachinery's field.Error.</summary>
internal sealed record FieldError(string Field, FieldErrorType Type, string Detail, JsonNode? Value = null)
{
    public static FieldError Invalid(string field, JsonNode? value, string detail) => new(field, FieldErrorType.Invalid, detail, value);

    public static FieldError Required(string field, string detail) => new(field, FieldErrorType.Required, detail);

    public static FieldError Forbidden(string field, string detail) => new(field, FieldErrorType.Forbidden, detail);

    /// <summary>A size over its limit, in the words of 1.32's field.TooLong (earlier releases said "must have at most").</summary>
    public static FieldError TooLong(string field, int maxBytes) => new(field, FieldErrorType.TooLong, $"may not be more than {maxBytes} bytes");

    /// <summary>An invalid <c>[]string</c>, which the apiserver prints with Go's <c>%#v</c>: <c>[]string{"10.96.0.9"}</c> (<c>[]string(nil)</c> when empty).</summary>
    public static FieldError InvalidStrings(string field, IReadOnlyList<string> values, string detail) =>
        new(field, FieldErrorType.Invalid, detail) { GoValue = values.Count == 0 ? "[]string(nil)" : "[]string{" + string.Join(", ", values.Select(v => Http.WireJson.Serialize(JsonValue.Create(v)))) + "}" };

    /// <summary>The bad value as Go prints it, when that is not its JSON.</summary>
    public string? GoValue { get; init; }

    /// <summary>A value outside an enum: <c>Unsupported value: "Bogus": supported values: "A", "B"</c>.</summary>
    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new(field, FieldErrorType.NotSupported, "supported values: " + string.Join(", ", supported), value);

    // As Go's %q: printable characters as they are ("+5", not "\u002B5").
    private static string GoText(JsonNode? value) => value is null ? "null" : Http.WireJson.Serialize(value);

    public string Reason => Type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.TooLong => "FieldValueTooLong",
        _ => "FieldValueInvalid",
    };

    /// <summary>
    /// The cause message without the field, e.g. <c>Invalid value: -1: must be greater than or equal to 0</c>; as
    /// apimachinery's ErrorBody, an empty detail adds nothing (<c>Required value</c>).
    /// </summary>
    public string Message => (Type switch
    {
        FieldErrorType.Required => "Required value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.NotSupported => $"Unsupported value: {GoValue ?? GoText(Value)}",
        _ => $"Invalid value: {GoValue ?? GoText(Value)}",
    }) + (Detail.Length > 0 ? ": " + Detail : "");
}
