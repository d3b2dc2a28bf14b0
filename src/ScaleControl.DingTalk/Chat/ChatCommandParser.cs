using System.Globalization;
using System.Text.RegularExpressions;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using ScaleControl.Core.Text;

namespace ScaleControl.DingTalk.Chat;

/// <summary>The parse of one chat message: a command, or a short error that says what was expected.</summary>
public sealed record ParsedCommand(ChatCommand? Command, string? Error);

/// <summary>
/// The robot's grammar, kubectl-like and forgiving: verbs in any case (a leading <c>/</c> is fine), workloads as
/// <c>namespace/name</c>, replicas as <c>2-&gt;6</c> (or <c>2→6</c>), durations as <c>30m</c>, <c>2h</c>, <c>1h30m</c>,
/// <c>1d</c>. An unknown verb gets a "did you mean".
/// </summary>
public static partial class ChatCommandParser
{
    public const int MaxTextLength = 2000;
    public const int MaxReasonLength = 500;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);

    /// <summary>Far beyond anything accepted (a prepare's look-ahead is refused past 30 days), far below TimeSpan's limit.</summary>
    private static readonly TimeSpan MaxSummed = TimeSpan.FromDays(100_000);

    public static readonly IReadOnlyList<(string Verb, string Usage)> Grammar =
    [
        ("help", "help"),
        ("whoami", "whoami"),
        ("status", "status [ns/workload]"),
        ("proposals", "proposals"),
        ("approve", "approve [all] <ns/proposal|ns/workload>"),
        ("reject", "reject [all] <ns/proposal|ns/workload> [reason]"),
        ("scale", "scale <ns/workload> <from>-><to> for <duration> [reason]"),
        ("freeze", "freeze <ns/workload|ns/*> for <duration> <reason>"),
        ("unfreeze", "unfreeze <ns/workload|ns/*>"),
        ("unpin", "unpin <ns/workload>"),
        ("undo", "undo <ns/proposal|ns/workload> [reason]"),
        ("history", "history <ns/workload>"),
        ("prepare", "prepare <ns/workload> at <HH:mm|+30m|ISO time> expect <N>x|replicas <n> for <duration> reason <text>"),
        ("unprepare", "unprepare <ns/workload> [event]"),
        ("confirm", "confirm <code>"),
    ];

    public static ParsedCommand Parse(string text)
    {
        if (text.Length > MaxTextLength)
        {
            return Fail($"message too long (at most {MaxTextLength} characters)");
        }

        text = WithoutInvisible(text);
        if (!TextLimits.IsPlainInput(text.Replace('\r', ' ')))
        {
            // A reason is stored, logged and shown on cards as typed: no terminal escapes or text that reads backwards.
            return Fail("the message must be plain text: no control characters, bidirectional overrides or marks (U+200E, U+200F)");
        }

        if (SecondCommand(text) is { } second)
        {
            return Fail($"one command per message: line {second.Line} (`{Short(second.Text)}`) is a command of its own, and would have been read as " +
                "part of the first (a reason). Nothing was done; send each command in a message of its own.");
        }

        // Other people's @-mentions (DingTalk removes only the robot's) address them, not the robot, wherever they stand.
        var words = Words().Matches(FoldWidth(ImePunctuationAsBreaks(text)).Trim()).Select(m => m.Value)
            .Where(w => !w.StartsWith('@'))
            .ToList();
        if (words.Count == 0)
        {
            return new ParsedCommand(new HelpCommand(), null);
        }

        var verb = words[0].TrimStart('/').ToLowerInvariant();
        var args = words.Skip(1).ToList();
        return verb switch
        {
            "help" or "?" or "h" => new ParsedCommand(new HelpCommand(), null),
            "whoami" => new ParsedCommand(new WhoAmICommand(), null),
            "status" or "st" => ParseStatus(args),
            "proposals" or "pending" => new ParsedCommand(new ProposalsCommand(), null),
            "approve" => ParseTarget(WithoutAll(args, out var approveAll), "approve", (ns, name) => new ApproveCommand(ns, name, approveAll), allowReason: false),
            "reject" => ParseTarget(WithoutAll(args, out var rejectAll), "reject", (ns, name, reason) => new RejectCommand(ns, name, reason, rejectAll)),
            "scale" => ParseScale(args),
            "freeze" => ParseFreeze(args),
            "unfreeze" => args.Count == 1 && WholeNamespace(args[0]) is { } all
                ? new ParsedCommand(new UnfreezeCommand(all, null), null)
                : ParseTarget(args, "unfreeze", (ns, name) => new UnfreezeCommand(ns, name), allowReason: false),
            "unpin" => ParseTarget(args, "unpin", (ns, name) => new UnpinCommand(ns, name), allowReason: false),
            "undo" => ParseTarget(args, "undo", (ns, name, reason) => new UndoCommand(ns, name, reason)),
            "history" => ParseTarget(args, "history", (ns, name) => new HistoryCommand(ns, name), allowReason: false),
            "prepare" => ChatPrepareParser.Parse(args),
            "unprepare" => ParseUnprepare(args),
            "confirm" => args.Count == 1 && ConfirmCode().IsMatch(args[0])
                ? new ParsedCommand(new ConfirmCommand(args[0].ToUpperInvariant()), null)
                : Fail("usage: `confirm <code>` with the code the robot gave"),
            _ => Fail(DidYouMean(verb)),
        };
    }

    /// <summary>Words of scalectl and the API that the chat spells another way, with the verb to use instead.</summary>
    private static readonly Dictionary<string, string> OtherNames = new(StringComparer.Ordinal)
    {
        ["pin"] = "scale",
        ["override"] = "scale",
    };

    /// <summary>The verb another name stands for, or else the closest verb (edit distance ≤ 2, or a prefix), as a one-line hint.</summary>
    public static string DidYouMean(string verb)
    {
        if (OtherNames.TryGetValue(verb, out var meant))
        {
            // "pin" is one edit from "unpin": without this the hint named the opposite of what was asked for.
            return $"a {verb} is `{Grammar.First(g => g.Verb == meant).Usage}` here, e.g. `scale shop/checkout-api 4->8 for 30m launch`.";
        }

        var best = Grammar
            .Select(g => (g.Verb, g.Usage, Distance: g.Verb.StartsWith(verb, StringComparison.Ordinal) && verb.Length >= 2 ? 0 : Levenshtein(verb, g.Verb)))
            .OrderBy(g => g.Distance)
            .First();
        var shown = CodeSpanText.Quote(verb, 20);
        return best.Distance <= 2
            ? $"unknown command `{shown}`. Did you mean `{best.Usage}`? Send `help` for all commands."
            : $"unknown command `{shown}`. Send `help` for all commands.";
    }

    private static ParsedCommand ParseStatus(List<string> args)
    {
        if (args.Count == 0)
        {
            return new ParsedCommand(new StatusCommand(null, null), null);
        }

        if (args.Count > 1)
        {
            return Usage("status");
        }

        var parts = args[0].Split('/');
        if (parts.Length == 1 && KubernetesNames.IsDnsLabel(parts[0]))
        {
            return new ParsedCommand(new StatusCommand(parts[0], null), null);
        }

        return TryWorkload(args[0], out var ns, out var name, out var error)
            ? new ParsedCommand(new StatusCommand(ns, name), null)
            : Fail(error);
    }

    private static ParsedCommand ParseTarget(List<string> args, string verb, Func<string, string, ChatCommand> build, bool allowReason) =>
        args.Count == 0 || (!allowReason && args.Count > 1)
            ? Usage(verb)
            : TryWorkload(args[0], out var ns, out var name, out var error)
                ? new ParsedCommand(build(ns, name), null)
                : Fail(error);

    private static ParsedCommand ParseTarget(List<string> args, string verb, Func<string, string, string?, ChatCommand> build)
    {
        if (args.Count == 0)
        {
            return Usage(verb);
        }

        if (!TryWorkload(args[0], out var ns, out var name, out var error))
        {
            return Fail(error);
        }

        var reason = Reason(args.Skip(1));
        return reason.Length > MaxReasonLength ? Fail($"reason too long (at most {MaxReasonLength} characters)") : new ParsedCommand(build(ns, name, reason.Length == 0 ? null : reason), null);
    }

    private static ParsedCommand ParseScale(List<string> args)
    {
        // scale ns/workload 2->6 for 30m reason…   (spaces may stand anywhere in the count, as phones type it: "2 -> 6",
        // "2 ->6", "2-> 6"): the count is every word between the workload and the first "for".
        var forAt = args.Count < 4 ? -1 : args.FindIndex(1, w => string.Equals(w, "for", StringComparison.OrdinalIgnoreCase));
        if (forAt < 2 || forAt + 1 >= args.Count)
        {
            return Usage("scale");
        }

        var typed = string.Join(' ', args[1..forAt]);
        if (!TryWorkload(args[0], out var ns, out var name, out var error))
        {
            return Fail(error);
        }

        // "to 10" or "10": the target alone, which the server answers with the running count and the command to send.
        var replicas = Replicas().Match(string.Concat(args[1..forAt]));
        var targetOnly = TargetOnly().Match(typed);
        if (!replicas.Success && !targetOnly.Success)
        {
            return Fail($"replicas `{Short(typed)}` must read `<from>-><to>`, e.g. `2->6`");
        }

        // The range as accepted: the target 1 or more (0 is refused below), the running count ("from") may be 0.
        const int Max = ScalePolicySpec.MaxReplicaCount;
        static int? Count(Group digits) =>
            int.TryParse(digits.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= Max ? count : null;
        var from = replicas.Success ? Count(replicas.Groups[1]) : null;
        if (Count(replicas.Success ? replicas.Groups[2] : targetOnly.Groups[1]) is not { } to || (replicas.Success && from is null))
        {
            return Fail($"`{Short(typed)}`: the target must be 1 to {Max} replicas (and the running count at most {Max})");
        }

        if (to < 1)
        {
            return Fail($"`{Short(typed)}`: scaling to 0 is not supported; ask for 1 replica or more");
        }

        if (!TryDuration(args[forAt + 1], out var duration, out error))
        {
            return Fail(error);
        }

        var reason = Reason(args.Skip(forAt + 2));
        if (reason.Length > MaxReasonLength)
        {
            return Fail($"reason too long (at most {MaxReasonLength} characters)");
        }

        return new ParsedCommand(new ScaleCommand(ns, name, from, to, duration, reason.Length == 0 ? "chat" : reason), null);
    }

    private static ParsedCommand ParseFreeze(List<string> args)
    {
        if (args.Count < 4 || !string.Equals(args[1], "for", StringComparison.OrdinalIgnoreCase))
        {
            return Usage("freeze");
        }

        string ns;
        string? workload = null;
        if (WholeNamespace(args[0]) is { } all)
        {
            ns = all;
        }
        else if (!TryWorkload(args[0], out ns, out var name, out var error))
        {
            return Fail(error);
        }
        else
        {
            workload = name;
        }

        if (!TryDuration(args[2], out var duration, out var durationError))
        {
            return Fail(durationError);
        }

        var reason = Reason(args.Skip(3));
        return reason.Length > MaxReasonLength
            ? Fail($"reason too long (at most {MaxReasonLength} characters)")
            : new ParsedCommand(new FreezeCommand(ns, workload, duration, reason), null);
    }

    /// <summary><c>approve all ns/workload</c>: the words after "all", and that it was there (every row of the proposal's card).</summary>
    private static List<string> WithoutAll(List<string> args, out bool all)
    {
        all = args.Count > 0 && string.Equals(args[0], "all", StringComparison.OrdinalIgnoreCase);
        return all ? args[1..] : args;
    }

    /// <summary>The namespace of <c>ns/*</c> (every policy of it), or null.</summary>
    private static string? WholeNamespace(string text) =>
        text.EndsWith("/*", StringComparison.Ordinal) && KubernetesNames.IsDnsLabel(text[..^2]) ? text[..^2] : null;

    /// <summary><c>unprepare ns/workload event-20261204-1200</c>; without the event the robot lists the policy's events.</summary>
    private static ParsedCommand ParseUnprepare(List<string> args)
    {
        if (args.Count is 0 or > 2)
        {
            return Usage("unprepare");
        }

        if (!TryWorkload(args[0], out var ns, out var name, out var error))
        {
            return Fail(error);
        }

        if (args.Count == 2 && !KubernetesNames.IsDnsSubdomain(args[1]))
        {
            return Fail($"event `{Short(args[1])}` is not an event name such as `event-20261204-1200` (send `unprepare {ns}/{name}` for the list)");
        }

        return new ParsedCommand(new UnprepareCommand(ns, name, args.Count == 2 ? args[1] : null), null);
    }

    internal static bool TryWorkload(string text, out string ns, out string name, out string error)
    {
        var parts = text.Split('/');
        ns = parts[0];
        name = parts.Length == 2 ? parts[1] : "";
        error = "";
        if (parts.Length == 2 && KubernetesNames.IsDnsLabel(ns) && KubernetesNames.IsDnsSubdomain(name))
        {
            return true;
        }

        error = $"`{Short(text)}` is not `namespace/name` (lower-case Kubernetes names), e.g. `shop/checkout-api`";
        return false;
    }

    /// <summary>Go-style durations the chat needs: <c>90s</c>, <c>30m</c>, <c>2h</c>, <c>1h30m</c>, <c>1d</c>; 1 s to 7 days.</summary>
    public static bool TryDuration(string text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = $"duration `{Short(text)}` must read like `30m`, `2h`, `1h30m` or `1d` (at most 7 days)";
        var match = Duration().Match(text.ToLowerInvariant());
        if (!match.Success || match.Length == 0)
        {
            return false;
        }

        foreach (Capture capture in match.Groups["part"].Captures)
        {
            var unit = capture.Value[^1];
            if (!int.TryParse(capture.Value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000)
            {
                return false;
            }

            duration += unit switch
            {
                'd' => TimeSpan.FromDays(n),
                'h' => TimeSpan.FromHours(n),
                'm' => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromSeconds(n),
            };
            if (duration > MaxSummed)
            {
                // 120 parts of 100000d fit in a message and overflowed TimeSpan: the parser threw and nobody was answered.
                duration = TimeSpan.Zero;
                return false;
            }
        }

        return duration >= TimeSpan.FromSeconds(1) && duration <= MaxDuration;
    }

    /// <summary>
    /// Phones type full-width letters, digits and punctuation in a Chinese input mode (ｓｔａｔｕｓ, ２－＞６, 20：00, the
    /// ideographic space): read as their ASCII forms, as NFKC would — by hand, because the server runs with invariant
    /// globalization, where <see cref="string.Normalize()"/> leaves them as they are.
    /// </summary>
    public static string FoldWidth(string text) => string.Create(text.Length, text, static (folded, original) =>
    {
        for (var i = 0; i < original.Length; i++)
        {
            var c = original[i];
            folded[i] = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                _ => c,
            };
        }
    });

    /// <summary>
    /// The message without the characters that show nothing (a zero-width space or soft hyphen pasted from a web page
    /// with the command: <c>status\u200B</c> was an unknown command that looked like <c>status</c>), and with the line
    /// and paragraph separators as the line breaks they are. What is left is checked as plain input; a bidi mark
    /// changes how the rest reads, so it is refused rather than dropped.
    /// </summary>
    internal static string WithoutInvisible(string text) =>
        !text.Any(TextLimits.IsHidden) ? text
        : new string([.. text.Where(c => !TextLimits.IsHidden(c) || IsBidiMark(c) || c is '\u2028' or '\u2029').Select(c => c is '\u2028' or '\u2029' ? '\n' : c)]);

    /// <summary>
    /// A line after the first that is a whole command by itself: several commands pasted into one message (<c>reject
    /// shop/a</c>, a line break, <c>reject shop/b</c>) were read as the first with the others as its reason, so shop/b
    /// stayed pending while its sender believed it rejected. A reason's own lines (<c>status page is down</c>) are no
    /// command and stay part of it.
    /// </summary>
    private static (int Line, string Text)? SecondCommand(string text)
    {
        var lines = text.Split('\n');
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim() is { Length: > 0 } line && Parse(line).Command is { } command and not HelpCommand)
            {
                return (i + 1, line);
            }
        }

        return null;
    }

    private static bool IsBidiMark(char c) => c is '\u200E' or '\u200F' or '\u061C';

    /// <summary>
    /// Chinese input mode's comma, semicolon and full stop (，；。) typed straight after a word of the command — a
    /// duration, a count, a workload — end that word, as a space would: <c>freeze shop/a for 30m，大促</c> read the
    /// duration as <c>30m,大促</c>, and <c>unpin shop/a。</c> was no workload. After Chinese text (inside a reason) they
    /// stay, folded to ASCII as the rest of the message is.
    /// </summary>
    internal static string ImePunctuationAsBreaks(string text)
    {
        if (text.IndexOfAny(['\uFF0C', '\uFF1B', '\u3002']) < 0)
        {
            return text;
        }

        var broken = text.ToCharArray();
        for (var i = 1; i < broken.Length; i++)
        {
            var before = FoldWidth(text[i - 1].ToString())[0];
            if (broken[i] is '\uFF0C' or '\uFF1B' or '\u3002' && char.IsAsciiLetterOrDigit(before))
            {
                broken[i] = ' ';
            }
        }

        return new string(broken);
    }

    internal static string Reason(IEnumerable<string> words) => string.Join(' ', words).Trim();

    internal static ParsedCommand Usage(string verb) => Fail($"usage: `{Grammar.First(g => g.Verb == verb).Usage}`");

    internal static ParsedCommand Fail(string error) => new(null, error);

    /// <summary>Typed text echoed in an error's code span: bounded, and a typed backtick cannot close the span.</summary>
    internal static string Short(string text) => CodeSpanText.Quote(text, 40);

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"\S+")]
    private static partial Regex Words();

    [GeneratedRegex(@"^(\d+)(?:->|-》|→|=>)(\d+)$")]
    private static partial Regex Replicas();

    [GeneratedRegex(@"^(?:to )?(\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex TargetOnly();

    [GeneratedRegex(@"^(?<part>\d{1,6}[dhms])+$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^[A-Za-z0-9]{4,12}$")]
    private static partial Regex ConfirmCode();
}
