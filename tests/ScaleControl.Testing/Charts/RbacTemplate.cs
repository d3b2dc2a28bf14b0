using System.Text;
using System.Text.RegularExpressions;

namespace ScaleControl.Testing.Charts;

/// <summary>
/// charts/scalecontrol's serviceaccount.yaml and rbac.yaml rendered as <c>helm template</c> would (helm cannot run
/// here), for the release name, its namespace and a <c>watchNamespaces</c> value. It knows exactly the template actions
/// those files use — <c>if</c>/<c>with</c>/<c>else</c> on <c>.Values.rbac.create</c> and <c>.Values.watchNamespaces</c>, <c>range</c>
/// over the namespaces, <c>include</c> of the names, the labels (dropped) and the rule blocks of _helpers.tpl — and
/// throws on any other, so a template change it cannot render fails the tests instead of rendering wrong.
/// </summary>
public static partial class RbacTemplate
{
    public static string Render(string chartDirectory, string release, string releaseNamespace, IReadOnlyList<string> watchNamespaces)
    {
        var templates = Path.Combine(chartDirectory, "templates");
        var defines = Defines(File.ReadAllText(Path.Combine(templates, "_helpers.tpl")));
        var account = RenderFile(Path.Combine(templates, "serviceaccount.yaml"), release, releaseNamespace, watchNamespaces, defines)
            .Replace("metadata:\n", $"metadata:\n  namespace: {releaseNamespace}\n", StringComparison.Ordinal);
        var rbac = RenderFile(Path.Combine(templates, "rbac.yaml"), release, releaseNamespace, watchNamespaces, defines);
        return account + "\n---\n" + rbac;
    }

    private static string RenderFile(string path, string release, string releaseNamespace, IReadOnlyList<string> watchNamespaces, IReadOnlyDictionary<string, string> defines)
    {
        var lines = File.ReadAllLines(path);
        var output = new StringBuilder();
        var position = 0;
        Block(lines, ref position, emit: true, new Context(release, releaseNamespace, watchNamespaces, defines, null), output);
        if (position != lines.Length)
        {
            throw new InvalidOperationException($"{path}:{position + 1}: an 'end' without its 'if' or 'range'");
        }

        return string.Join('\n', output.ToString().Split('\n').Where(l => l.Trim().Length > 0)).Trim();
    }

    /// <summary>Renders lines up to the next <c>else</c> or <c>end</c> of this level (left unread), writing them when <paramref name="emit"/>.</summary>
    private static void Block(string[] lines, ref int position, bool emit, Context context, StringBuilder output)
    {
        while (position < lines.Length)
        {
            var line = lines[position];
            var action = Action().Match(line);
            if (!action.Success)
            {
                if (emit)
                {
                    output.Append(Substitute(line, context, path: position + 1)).Append('\n');
                }

                position++;
                continue;
            }

            var words = action.Groups[1].Value.Trim();
            if (words is "end" or "else")
            {
                return;
            }

            position++;
            if (IfOrWith().Match(words) is { Success: true } conditional)
            {
                var condition = emit && Condition(conditional.Groups[1].Value, context);
                Block(lines, ref position, emit && condition, context, output);
                if (position < lines.Length && Action().Match(lines[position]).Groups[1].Value.Trim() == "else")
                {
                    position++;
                    Block(lines, ref position, emit && !condition, context, output);
                }

                Expect(lines, ref position, "end");
            }
            else if (RangeOverNamespaces().Match(words) is { Success: true } range)
            {
                var start = position;
                foreach (var item in emit ? context.WatchNamespaces : [])
                {
                    position = start;
                    Block(lines, ref position, emit: true, context with { Variable = (range.Groups[1].Value, item) }, output);
                }

                position = start;
                Block(lines, ref position, emit: false, context, output);
                Expect(lines, ref position, "end");
            }
            else if (IncludeIndented().Match(words) is { Success: true } include)
            {
                if (emit && include.Groups[1].Value != "scalecontrol.labels")
                {
                    var indent = new string(' ', int.Parse(include.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                    var body = context.Defines.TryGetValue(include.Groups[1].Value, out var text)
                        ? text
                        : throw new InvalidOperationException($"no define \"{include.Groups[1].Value}\" in _helpers.tpl");
                    foreach (var bodyLine in body.Split('\n'))
                    {
                        output.Append(indent).Append(bodyLine).Append('\n');
                    }
                }
                else if (emit)
                {
                    DropEmptyKey(output); // "labels:" without its labels
                }
            }
            else if (emit)
            {
                throw new InvalidOperationException($"line {position}: the chart test's renderer does not know '{words}'");
            }
        }
    }

    private static void Expect(string[] lines, ref int position, string word)
    {
        if (position >= lines.Length || Action().Match(lines[position]).Groups[1].Value.Trim() != word)
        {
            throw new InvalidOperationException($"line {position + 1}: expected '{word}'");
        }

        position++;
    }

    private static bool Condition(string condition, Context context) => condition switch
    {
        ".Values.rbac.create" or ".Values.serviceAccount.create" => true,
        ".Values.serviceAccount.annotations" => false,
        ".Values.watchNamespaces" => context.WatchNamespaces.Count > 0,
        "not .Values.watchNamespaces" => context.WatchNamespaces.Count == 0,
        _ => throw new InvalidOperationException($"the chart test's renderer does not know the condition '{condition}'"),
    };

    private static string Substitute(string line, Context context, int path)
    {
        var text = NameInclude().Replace(line, context.Release)
            .Replace("{{ .Release.Namespace }}", context.ReleaseNamespace, StringComparison.Ordinal)
            .Replace("{{ $.Release.Namespace }}", context.ReleaseNamespace, StringComparison.Ordinal);
        if (context.Variable is var (name, value))
        {
            text = text.Replace($"{{{{ {name} }}}}", value, StringComparison.Ordinal);
        }

        return text.Contains("{{", StringComparison.Ordinal)
            ? throw new InvalidOperationException($"line {path}: the chart test's renderer cannot render '{line.Trim()}'")
            : text;
    }

    private static void DropEmptyKey(StringBuilder output)
    {
        var text = output.ToString().TrimEnd('\n');
        var last = text.LastIndexOf('\n');
        if (text[(last + 1)..].Trim() is "labels:" or "annotations:")
        {
            output.Length = last + 1;
        }
    }

    /// <summary>The <c>define</c> blocks of _helpers.tpl that are plain YAML (no actions inside): the rule lists.</summary>
    private static Dictionary<string, string> Defines(string helpers) =>
        Define().Matches(helpers)
            .Where(m => !m.Groups[2].Value.Contains("{{", StringComparison.Ordinal))
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim('\n'), StringComparer.Ordinal);

    private sealed record Context(
        string Release, string ReleaseNamespace, IReadOnlyList<string> WatchNamespaces, IReadOnlyDictionary<string, string> Defines, (string Name, string Value)? Variable);

    [GeneratedRegex(@"^\s*\{\{-?\s*(.*?)\s*-?\}\}\s*$")]
    private static partial Regex Action();

    [GeneratedRegex(@"^(?:if|with) (.+)$")]
    private static partial Regex IfOrWith();

    [GeneratedRegex(@"^range (\$\w+) := \.Values\.watchNamespaces$")]
    private static partial Regex RangeOverNamespaces();

    [GeneratedRegex(@"^include ""([\w.]+)"" [.$] \| nindent (\d+)$")]
    private static partial Regex IncludeIndented();

    [GeneratedRegex(@"\{\{ include ""scalecontrol\.(fullname|serviceAccountName)"" [.$] \}\}")]
    private static partial Regex NameInclude();

    [GeneratedRegex(@"\{\{- define ""([\w.]+)"" -\}\}\n(.*?)\{\{- end \}\}", RegexOptions.Singleline)]
    private static partial Regex Define();
}
