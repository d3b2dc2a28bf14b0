using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>How a card renders from its data: which template buttons are visible, and which values would not render.</summary>
internal static partial class CardButtons
{
    /// <param name="Row">For a button repeated over an Array variable: the element's index (the row it sits beside).</param>
    public sealed record VisibleButton(string ActionId, string Text, string Style, IReadOnlyDictionary<string, string> Params, int? Row = null);

    public static IReadOnlyList<VisibleButton> Visible(SandboxCardTemplate template, IReadOnlyDictionary<string, string> data)
    {
        var visible = new List<VisibleButton>();
        foreach (var button in template.Buttons)
        {
            if (button.ForEach is null)
            {
                if (button.ShowWhen.All(c => Holds(c, data)))
                {
                    visible.Add(Render(button, data, null));
                }

                continue;
            }

            var items = Items(data.GetValueOrDefault(button.ForEach));
            for (var i = 0; i < items.Count; i++)
            {
                var scope = new Dictionary<string, string>(data, StringComparer.Ordinal);
                foreach (var (field, value) in items[i])
                {
                    scope["item." + field] = value;
                }

                if (button.ShowWhen.All(c => Holds(c, scope)))
                {
                    visible.Add(Render(button, scope, i));
                }
            }
        }

        return visible;
    }

    private static VisibleButton Render(TemplateButton button, IReadOnlyDictionary<string, string> scope, int? row) =>
        new(button.ActionId, Fill(button.Text, scope), button.Style, button.Params.ToDictionary(p => p.Key, p => Fill(p.Value, scope), StringComparer.Ordinal), row);

    /// <summary>The elements of an Array variable (JSON text), each as its string-valued fields; anything else renders no loop.</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, string>> Items(string? json)
    {
        if (string.IsNullOrEmpty(json) || !IsJson(json, JsonValueKind.Array))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object)
            .Select(e => (IReadOnlyDictionary<string, string>)e.EnumerateObject().ToDictionary(
                p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal))];
    }

    /// <summary>Values DingTalk would silently not render: undeclared variables and values that do not match the declared type.</summary>
    public static IReadOnlyList<string> RenderWarnings(SandboxCardTemplate template, IReadOnlyDictionary<string, string> data)
    {
        var declared = template.Variables.ToDictionary(v => v.Name, v => v.Type, StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var (name, value) in data)
        {
            if (!declared.TryGetValue(name, out var type))
            {
                if (!name.StartsWith("sys_", StringComparison.Ordinal))
                {
                    warnings.Add($"{name}: not a variable of template {template.Id}; not rendered");
                }
            }
            else if (!Matches(type, value))
            {
                warnings.Add($"{name}: declared {type} but value '{value}' does not parse; not rendered");
            }
        }

        return warnings;
    }

    private static bool Holds(ButtonCondition condition, IReadOnlyDictionary<string, string> data) =>
        data.TryGetValue(condition.Variable, out var value) && !string.IsNullOrEmpty(value)
        && (condition.EqualsValue is null || string.Equals(value, condition.EqualsValue, StringComparison.OrdinalIgnoreCase));

    private static string Fill(string text, IReadOnlyDictionary<string, string> data) =>
        Placeholder().Replace(text, m => data.TryGetValue(m.Groups[1].Value, out var value) ? value : "");

    private static bool Matches(TemplateVariableType type, string value) => type switch
    {
        TemplateVariableType.Number => value.Length == 0 || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        TemplateVariableType.Boolean => value is "" or "true" or "false",
        TemplateVariableType.Object => value.Length == 0 || IsJson(value, JsonValueKind.Object),
        TemplateVariableType.Array => value.Length == 0 || IsJson(value, JsonValueKind.Array),
        _ => true,
    };

    private static bool IsJson(string value, JsonValueKind kind)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return document.RootElement.ValueKind == kind;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9_.]+)\}")]
    private static partial Regex Placeholder();
}
