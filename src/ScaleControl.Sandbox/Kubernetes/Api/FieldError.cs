using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Api;

internal enum FieldErrorType { Invalid, Required, Forbidden, NotSupported, TooLong }

/// <summary>One validation failure, rendered like apimachinery's field.Error.</summary>
internal sealed record FieldError(string Field, FieldErrorType Type, string Detail, JsonNode? Value = null)
{
    public static FieldError Invalid(string field, JsonNode? value, string detail) => new(field, FieldErrorType.Invalid, detail, value);

    public static FieldError Required(string field, string detail) => new(field, FieldErrorType.Required, detail);

    public static FieldError Forbidden(string field, string detail) => new(field, FieldErrorType.Forbidden, detail);

    /// <summary>A value outside an enum: <c>Unsupported value: "Bogus": supported values: "A", "B"</c>.</summary>
    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new(field, FieldErrorType.NotSupported, "supported values: " + string.Join(", ", supported), value);

    public string Reason => Type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.TooLong => "FieldValueTooLong",
        _ => "FieldValueInvalid",
    };

    /// <summary>The cause message without the field, e.g. <c>Invalid value: -1: must be greater than or equal to 0</c>.</summary>
    public string Message => Type switch
    {
        FieldErrorType.Required => $"Required value: {Detail}",
        FieldErrorType.Forbidden => $"Forbidden: {Detail}",
        FieldErrorType.TooLong => $"Too long: {Detail}",
        FieldErrorType.NotSupported => $"Unsupported value: {Value?.ToJsonString() ?? "null"}: {Detail}",
        _ => $"Invalid value: {Value?.ToJsonString() ?? "null"}: {Detail}",
    };
}
