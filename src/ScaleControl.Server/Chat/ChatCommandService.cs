using ScaleControl.Core.Commands;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using ScaleControl.DingTalk.Cards;
using ScaleControl.Times;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Chat;

/// <summary>
/// Runs chat commands with the sender's own rights (per person, from <see cref="ChatPeople"/>), through the same
/// services as the REST API and card taps — approvals through the approval inbox, pins and freezes through the
/// override service — so their rules apply to chat too. Everything is recorded with channel DingTalkChat
/// ("dingtalk-chat"), the sender and the text: on the proposal or override itself, as a Kubernetes Event on the
/// workload and in the log. Risky commands wait for a confirmation: the card's Confirm button or <c>confirm &lt;code&gt;</c>,
/// stored durably (<see cref="ChatConfirmations"/>).
/// </summary>
public sealed partial class ChatCommandService(
    ChatPeople people,
    IPolicyStore policies,
    IProposalStore proposals,
    IWorkloadClient workloads,
    IApprovalInbox approvals,
    IUndoInbox undos,
    OverrideService overrides,
    NamespaceNotices namespaceNotices,
    PreparationService preparations,
    StatusService status,
    HistoryService history,
    ChatConfirmations confirmations,
    ChatConversations conversations,
    IConfirmationCards confirmationCards,
    Announcer announcer,
    WatchedNamespaces watched,
    GroupTimes clock,
    TimeProvider time,
    ILogger<ChatCommandService> logger) : ICommandInbox
{
    public const string ChatCommandReason = "ChatCommand";
    private const ApprovalChannel Channel = ApprovalChannel.DingTalkChat;

    public async Task<CommandReply> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        var caller = people.Find(request.Sender);
        var reply = caller is null
            ? CommandReply.Refused($"I do not know `{request.Sender}`: ask a ScaleControl admin to add your DingTalk userId to `ScaleControl:Auth:People`.")
            : await RunAsync(request, caller, confirmed: false, cancellationToken);
        LogCommand(logger, request.Sender, request.Command.Verb, request.Conversation ?? "one-to-one", CodeSpanText.Quote(request.Text), reply.Outcome);
        return reply;
    }

    /// <param name="confirmedOutsideBounds">Confirmed, and held because it leaves the policy's bounds (<see cref="PendingConfirmation.OutsideBounds"/>).</param>
    private Task<CommandReply> RunAsync(CommandRequest request, Caller caller, bool confirmed, CancellationToken cancellationToken, bool confirmedOutsideBounds = false)
    {
        if (NamespaceOf(request.Command) is { } named && !watched.Contains(named))
        {
            return Task.FromResult(CommandReply.Refused($"`{request.Command.Verb}` refused: {MarkdownText.Escape(watched.Refusal(named))}."));
        }

        if (request.Command.Changes && request.Command is not ConfirmCommand && NamespaceOf(request.Command) is { } ns && !caller.CanActIn(ns))
        {
            return Task.FromResult(CommandReply.Refused(
                $"`{request.Command.Verb}` needs the operator role in `{ns}`; you are {ChatAnswers.Rights(caller)}. Nothing was changed."));
        }

        return request.Command switch
        {
            HelpCommand => WithGroupHintAsync(request, ChatAnswers.Help(caller, clock.Name()), cancellationToken),
            WhoAmICommand => WhoAmIAsync(request, caller, cancellationToken),
            StatusCommand c => StatusAsync(request, c, cancellationToken),
            ProposalsCommand => ProposalsAsync(cancellationToken),
            HistoryCommand c => HistoryAsync(c, cancellationToken),
            ApproveCommand c => DecideAsync(request, c.Namespace, c.Name, approve: true, null, cancellationToken, c.AllRows),
            RejectCommand c => DecideAsync(request, c.Namespace, c.Name, approve: false, c.Reason, cancellationToken, c.AllRows),
            ScaleCommand c => ScaleAsync(request, c, confirmed, confirmedOutsideBounds, cancellationToken),
            FreezeCommand c => FreezeAsync(request, c, confirmed, cancellationToken),
            UnfreezeCommand c => UnfreezeAsync(request, c, cancellationToken),
            UnpinCommand c => UnpinAsync(request, c, cancellationToken),
            UndoCommand c => UndoAsync(request, c, cancellationToken),
            PrepareCommand c => PrepareAsync(request, c, cancellationToken),
            UnprepareCommand c => UnprepareAsync(request, c, confirmed, cancellationToken),
            ConfirmCommand c => ConfirmAsync(request, caller, c, cancellationToken),
            _ => Task.FromResult(CommandReply.Refused($"`{request.Command.Verb}` is not supported here.")),
        };
    }

    private static string? NamespaceOf(ChatCommand command) => command switch
    {
        ApproveCommand c => c.Namespace,
        RejectCommand c => c.Namespace,
        ScaleCommand c => c.Namespace,
        FreezeCommand c => c.Namespace,
        UnfreezeCommand c => c.Namespace,
        UnpinCommand c => c.Namespace,
        UndoCommand c => c.Namespace,
        PrepareCommand c => c.Namespace,
        UnprepareCommand c => c.Namespace,
        StatusCommand c => c.Namespace,
        HistoryCommand c => c.Namespace,
        _ => null,
    };

    /// <summary>
    /// The policies asked for. A bare <c>status</c> in a team's group shows the policies whose cards or notices go to
    /// that group, and names the namespaces of the others (<c>status feed</c> shows them); in a one-to-one chat, in a
    /// group that is every policy's, or in one that is no policy's, it shows all.
    /// </summary>
    private async Task<CommandReply> StatusAsync(CommandRequest request, StatusCommand command, CancellationToken cancellationToken)
    {
        var view = await status.GetAsync(cancellationToken);
        var matching = view.Policies
            .Where(p => command.Namespace is null || p.Namespace == command.Namespace)
            .Where(p => command.Workload is null || p.Target.Name == command.Workload)
            .ToList();
        if (command.Namespace is not null || request.Conversation is not { } conversation)
        {
            return ChatAnswers.Status(matching, clock);
        }

        var all = await policies.ListAsync(null, cancellationToken);
        var own = all.Where(p => conversations.IsGroupOf(p, conversation)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var ofThisGroup = matching.Where(p => own.Contains($"{p.Namespace}/{p.Name}")).ToList();
        if (ofThisGroup.Count == 0 || ofThisGroup.Count == matching.Count)
        {
            return WithGroupHint(conversation, all, ChatAnswers.Status(matching, clock));
        }

        var reply = ChatAnswers.Status(ofThisGroup, clock);
        var others = matching.Except(ofThisGroup).GroupBy(p => p.Namespace, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"`status {g.Key}` ({g.Count()})").ToList();
        return reply with
        {
            Markdown = reply.Markdown + $"\n\nThis group's policies only; {matching.Count - ofThisGroup.Count} more send their cards to other groups: {ChatAnswers.Names(others)}",
        };
    }

    /// <summary>In a group ScaleControl sends nothing to, the answer says so and how to route a policy there.</summary>
    private async Task<CommandReply> WithGroupHintAsync(CommandRequest request, CommandReply reply, CancellationToken cancellationToken) =>
        request.Conversation is { } conversation ? WithGroupHint(conversation, await policies.ListAsync(null, cancellationToken), reply) : reply;

    private CommandReply WithGroupHint(string conversation, IReadOnlyList<ScalePolicy> all, CommandReply reply) =>
        conversations.IsKnown(conversation, all) ? reply : reply with { Markdown = reply.Markdown + "\n\n" + ChatConversations.UnknownGroupHint(conversation) };

    /// <summary>Who the sender is and, in a group, which policies' cards and notices come to it (the id a policy names to send here).</summary>
    private async Task<CommandReply> WhoAmIAsync(CommandRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var reply = ChatAnswers.WhoAmI(request, caller);
        if (request.Conversation is not { } conversation)
        {
            return reply;
        }

        var all = await policies.ListAsync(null, cancellationToken);
        var own = all.Where(p => conversations.IsGroupOf(p, conversation)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        return own.Count == 0
            ? WithGroupHint(conversation, all, reply)
            : reply with { Markdown = reply.Markdown + $"\n\nThis group (`{CodeSpanText.Quote(conversation)}`) gets the cards and notices of {ChatAnswers.Names(own)}." };
    }

    /// <summary>
    /// The open proposals, the ones the answer shows read again from the API server. The list comes from the watch
    /// cache, which trails writes by a moment (longer on a busy API server, and a write by the leader reaches another
    /// replica's cache only through its watch): "proposals" sent just after the loop amended a card showed the old target.
    /// </summary>
    private async Task<CommandReply> ProposalsAsync(CancellationToken cancellationToken)
    {
        var open = (await proposals.ListAsync(null, cancellationToken))
            .Where(p => p.Status.Phase.IsOpen())
            .OrderByDescending(ProposalFactory.CreatedAt)
            .ToList();
        var shown = await Task.WhenAll(open.Take(ChatAnswers.MaxLines).Select(p => CurrentAsync(p, cancellationToken)));
        // One decided since the cache saw it is no longer open: left out, and out of the count.
        return ChatAnswers.Proposals([.. shown.OfType<ScaleProposal>().Where(p => p.Status.Phase.IsOpen()), .. open.Skip(ChatAnswers.MaxLines)], clock);
    }

    /// <summary>The proposal as the API server holds it now (null: deleted since); the cached one when the server cannot be asked.</summary>
    private async Task<ScaleProposal?> CurrentAsync(ScaleProposal cached, CancellationToken cancellationToken)
    {
        try
        {
            return await proposals.GetCurrentAsync(cached.Metadata.Namespace, cached.Metadata.Name, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogStaleProposals(logger, cached.Key, ex.Message);
            return cached;
        }
    }

    private async Task<CommandReply> HistoryAsync(HistoryCommand command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entries = (await history.ListAsync(command.Namespace, now.AddDays(-1), now, cancellationToken))
            .Where(e => e.Workload == command.Workload)
            .ToList();
        return ChatAnswers.History(command.Namespace, command.Workload, entries, clock);
    }

    /// <summary>
    /// approve/reject a proposal by name, or the open proposal of a workload; with <paramref name="allRows"/> every pending
    /// row of the card it is on, through the same inbox and rules as the card's "Approve all" (each row at its target now,
    /// as a single <c>approve</c> grants; the answer names each row's count).
    /// </summary>
    private async Task<CommandReply> DecideAsync(CommandRequest request, string ns, string name, bool approve, string? reason, CancellationToken cancellationToken, bool allRows = false)
    {
        var proposal = await CardRows.FindAsync(proposals, ns, name, wholeCard: allRows, cancellationToken);
        if (proposal is null)
        {
            return CommandReply.Refused(await AlreadyDecidedAsync(ns, name, cancellationToken)
                ?? $"No pending proposal `{ns}/{name}` (and none for a workload of that name). Send `proposals`.");
        }

        var rows = allRows ? await CardRows.PendingAsync(announcer, proposal, cancellationToken) : [proposal];
        // A card's rows may span namespaces: the sender needs the operator role in each, as for one row.
        if (CardRows.Outside(rows, people.Find(request.Sender)) is { } outside)
        {
            return CommandReply.Refused($"`{(approve ? "approve" : "reject")} all` needs the operator role in `{outside}` too (a row of this card is there). Nothing was changed.");
        }

        var result = await approvals.DecideAsync(
            new ApprovalCommand(ns, proposal.Metadata.Name, request.Sender, Channel, approve, Reason: reason ?? (approve ? null : "rejected in chat"),
                AllRows: allRows, SeenRows: allRows ? CardRows.Checked(rows) : null),
            cancellationToken);
        var target = allRows ? CardName(proposal, rows.Count) : $"**{ns}/{proposal.Spec.Target.Name}**";
        if (result.Kind is not (ApprovalResultKind.Accepted or ApprovalResultKind.Duplicate))
        {
            return CommandReply.Refused($"{(approve ? "Approval" : "Rejection")} of {target} refused: {MarkdownText.Escape(result.Message)}");
        }

        foreach (var row in rows)
        {
            await AuditAsync(ProposalFactory.TargetOf(row), request, cancellationToken);
        }

        var stored = result.Proposal ?? proposal;
        var verb = approve ? "Approved" : "Rejected";
        var text = allRows
            ? $"{target} by {request.Sender}: {MarkdownText.Line(result.Message)}" // it quotes the typed reason
            : $"{target} {stored.Spec.FromReplicas} → {stored.Spec.ToReplicas}: {stored.Status.Phase} by {request.Sender}\n\n{MarkdownText.Line(result.Message)}{await OtherRowsAsync(stored, approve, cancellationToken)}";
        return CommandReply.Done(verb, text);
    }

    /// <summary>
    /// An approve that lost the race to a card tap (or another approver) says who decided the workload's newest proposal,
    /// not "no pending proposal"; null when the workload has no proposal that was decided by a person.
    /// </summary>
    private async Task<string?> AlreadyDecidedAsync(string ns, string workload, CancellationToken cancellationToken) =>
        await CardRows.DecidedAsync(proposals, ns, workload, cancellationToken) is var (newest, by)
            ? $"**{ns}/{workload}** has no pending proposal: `{newest.Metadata.Name}` was already {by} ({newest.Status.Phase}). Send `proposals`."
            : null;

    private static string CardName(ScaleProposal proposal, int rows) =>
        proposal.Spec.Group is { } group ? $"the **{MarkdownText.Escape(group)}** card ({rows} rows)" : $"the card of **{proposal.Metadata.Namespace}/{proposal.Spec.Target.Name}** ({rows} rows)";

    /// <summary>A row decided alone on a card with other rows still waiting says how to decide them all, as the card's buttons would.</summary>
    private async Task<string> OtherRowsAsync(ScaleProposal decided, bool approve, CancellationToken cancellationToken)
    {
        var waiting = await CardRows.OthersWaitingAsync(announcer, decided, cancellationToken);
        var verb = approve ? "approve" : "reject";
        return waiting == 0 ? "" : $"\n\n{waiting} more {(waiting == 1 ? "row waits" : "rows wait")} on this card: `{verb} all {decided.Metadata.Namespace}/{decided.Spec.Target.Name}` decides them all.";
    }

    private async Task<CommandReply> ScaleAsync(CommandRequest request, ScaleCommand command, bool confirmed, bool confirmedOutsideBounds, CancellationToken cancellationToken)
    {
        var name = $"{command.Namespace}/{command.Workload}";
        if (await overrides.FindByWorkloadAsync(command.Namespace, command.Workload, cancellationToken) is not { } policy)
        {
            return CommandReply.Refused($"No ScalePolicy targets **{name}**. Nothing was changed.");
        }

        // Before any confirmation is asked: the pin would be refused anyway.
        if (ObserveMode.Observes(policy.Spec))
        {
            return CommandReply.Refused($"{MarkdownText.Escape(ObserveMode.Refusal(policy, "pin"))}. Nothing was changed.");
        }

        var target = ProposalFactory.TargetOf(policy);
        if (await workloads.GetAsync(target, cancellationToken) is not { } state)
        {
            return CommandReply.Refused($"{target.Kind} **{name}** does not exist. Nothing was changed.");
        }

        if (command.From is null)
        {
            // The count it changes is part of the command, so a message read late cannot scale twice: say it, ready to send.
            return CommandReply.Refused(
                $"**{name}** runs **{state.SpecReplicas}** now. Nothing was changed: a scale names the count it changes. Send\n\n" +
                ScaleFrom(name, state.SpecReplicas, command));
        }

        if (state.SpecReplicas != command.From)
        {
            return CommandReply.Refused(
                $"**{name}** runs **{state.SpecReplicas}** now, not {command.From}: the message is stale. Nothing was changed.\n\n" +
                $"If you still mean it: {ScaleFrom(name, state.SpecReplicas, command)}");
        }

        var outsideBounds = command.To > policy.Spec.MaxReplicas || command.To < policy.Spec.MinReplicas;
        if (!confirmed && RiskOf(policy, command, await HasPendingProposalAsync(policy, cancellationToken)) is { } risk)
        {
            return await HoldAsync(request, policy, [policy], risk, cancellationToken, outsideBounds);
        }

        // A command confirmed for leaving min/max is the explicit "outside the bounds" the override rules ask for. One
        // confirmed for another risk (a scale-down while a proposal waits) whose bounds moved past it meanwhile is not.
        if (confirmed && outsideBounds && !confirmedOutsideBounds)
        {
            return CommandReply.Refused(
                $"**{name}** → {command.To} is outside the policy's bounds {policy.Spec.MinReplicas}..{policy.Spec.MaxReplicas} now (changed since it was held for confirmation, " +
                "which was not for leaving them). Nothing was changed: send the command again to confirm going outside the bounds.");
        }

        var order = new PinOrder(command.Namespace, command.Workload, command.To, (int)command.Duration.TotalSeconds, command.Reason, request.Sender, Channel,
            AllowOutsideBounds: confirmed && outsideBounds);
        var result = await overrides.PinAsync(order, cancellationToken);
        if (result.Proposal is { } proposal)
        {
            return CommandReply.Done("Awaits approval",
                $"**{name}** {command.From} → **{command.To}** requested by {request.Sender}: proposal `{proposal.Metadata.Name}` waits for an approver ({result.Problem}){NoteLine(result)}")
                with { ProposalName = proposal.Metadata.Name };
        }

        if (result.Problem is { } problem)
        {
            return CommandReply.Refused($"Scaling **{name}** refused: {problem}");
        }

        await AuditAsync(target, request, cancellationToken);
        return CommandReply.Done("Scaled",
            $"**{name}** {command.From} → **{command.To}** by {request.Sender}\n\n📌 until {clock.Format(time.GetUtcNow() + command.Duration)} · {ChatAnswers.Literal(command.Reason)}{NoteLine(result)}");
    }

    /// <summary>The command as typed, from the running count: ready to send again (a phone user should not retype the duration and reason).</summary>
    private static string ScaleFrom(string name, int running, ScaleCommand command) =>
        $"`{CodeSpanText.Quote($"scale {name} {running}->{command.To} for {CompactDuration.Of(command.Duration)} {command.Reason}".TrimEnd(), maxLength: 1000)}`";

    /// <summary>A pin below the policy's ask goes through but says so, on its own line.</summary>
    private static string NoteLine(OverrideResult result) => result.Note is { } note ? $"\n\n⚠️ {note}" : "";

    /// <summary>Beyond the policy's bounds, or down while a proposal waits for approval: a person confirms first.</summary>
    private static string? RiskOf(ScalePolicy policy, ScaleCommand command, bool pendingProposal) =>
        command.To > policy.Spec.MaxReplicas ? $"{command.To} is above the policy's maximum {policy.Spec.MaxReplicas}"
        : command.To < policy.Spec.MinReplicas ? $"{command.To} is below the policy's minimum {policy.Spec.MinReplicas}"
        : command.To < command.From && pendingProposal ? "it scales down while a proposal waits for approval"
        : null;

    private async Task<bool> HasPendingProposalAsync(ScalePolicy policy, CancellationToken cancellationToken) =>
        (await proposals.ListAsync(policy.Metadata.Namespace, cancellationToken))
            .Any(p => p.Spec.Target.Name == policy.Spec.Target.Name && p.Status.Phase == ProposalPhase.Pending);

    private async Task<CommandReply> FreezeAsync(CommandRequest request, FreezeCommand command, bool confirmed, CancellationToken cancellationToken)
    {
        if (command.Reason.Length == 0)
        {
            return CommandReply.Refused("Say why: `freeze ns/workload for 1h <reason>`.");
        }

        var inNamespace = await policies.ListAsync(command.Namespace, cancellationToken);
        // The policy of that workload first, as unfreeze, scale and unpin find it; a policy of that name only when no policy
        // targets a workload of that name (else "freeze shop/api" could freeze the policy named api of workload api-v2).
        var chosen = command.Workload is null ? inNamespace
            : [.. inNamespace.Where(p => p.Spec.Target.Name == command.Workload).Concat(inNamespace.Where(p => p.Metadata.Name == command.Workload)).Take(1)];
        if (chosen.Count == 0)
        {
            return CommandReply.Refused($"No ScalePolicy matches **{command.Namespace}/{command.Workload ?? "*"}**. Nothing was changed.");
        }

        if (!confirmed && command.Workload is null)
        {
            // Judged by the strictest policy it freezes: one with the two-person rule makes it a two-person command.
            return await HoldAsync(request, chosen[0], chosen, chosen.Count == 1 ? $"it freezes every policy of namespace `{command.Namespace}` (there is one)" : $"it freezes all {chosen.Count} policies of namespace `{command.Namespace}`", cancellationToken);
        }

        var replaced = new List<string>();
        // A namespace's freeze is one group notice (per route), not one per policy; each policy still has its record.
        var wide = command.Workload is null;
        var frozen = new List<NamespaceChange>();
        foreach (var policy in chosen)
        {
            var result = await overrides.FreezeAsync(command.Namespace, policy.Metadata.Name, (int)command.Duration.TotalSeconds, command.Reason, request.Sender, Channel, cancellationToken, request.MessageId,
                groupNotice: !wide);
            if (result.Problem is { } problem)
            {
                await AnnounceFrozenAsync(request, command, frozen, cancellationToken);
                return CommandReply.Refused($"Freezing **{command.Namespace}/{policy.Spec.Target.Name}** refused: {problem}" +
                    (frozen.Count == 0 ? "" : $" (frozen before it: {ChatAnswers.Names([.. frozen.Select(f => f.Policy.Spec.Target.Name)])})"));
            }

            if (result.Note is { } note)
            {
                replaced.Add(chosen.Count == 1 ? note : $"{policy.Spec.Target.Name}: {note}");
            }

            if (result.Replayed is null)
            {
                frozen.Add(new NamespaceChange(result.Policy ?? policy, result.Note is { } n ? $"({n.Split(':')[0]})" : ""));
            }

            await AuditAsync(ProposalFactory.TargetOf(policy), request, cancellationToken);
        }

        await AnnounceFrozenAsync(request, command, frozen, cancellationToken);

        var names = ChatAnswers.Names([.. chosen.Select(p => p.Spec.Target.Name)]);
        return CommandReply.Done("Frozen", $"❄ **{command.Namespace}/{names}** frozen until {clock.Format(time.GetUtcNow() + command.Duration)} by {request.Sender} · {ChatAnswers.Literal(command.Reason)}"
            + string.Concat(replaced.Take(ChatAnswers.MaxLines).Select(r => $"\n\n{r}"))
            + (replaced.Count > ChatAnswers.MaxLines ? $"\n\n{replaced.Count - ChatAnswers.MaxLines} more replaced a freeze in force." : ""));
    }

    /// <summary>The one group notice (per route) of <c>freeze ns/*</c>: the policies it froze, nothing when it froze none.</summary>
    private Task AnnounceFrozenAsync(CommandRequest request, FreezeCommand command, List<NamespaceChange> frozen, CancellationToken cancellationToken) =>
        command.Workload is not null || frozen.Count == 0 ? Task.CompletedTask
        : namespaceNotices.AnnounceAsync(command.Namespace, frozen, NoticeKind.Frozen, "frozen",
            $"❄ **{command.Namespace}** frozen until {time.GetUtcNow() + command.Duration:u} by {request.Sender}: {MarkdownText.Line(command.Reason)}", cancellationToken);

    /// <summary><c>unfreeze ns/*</c>: lifts every freeze in force in the namespace, as <c>freeze ns/*</c> set them; one group notice (per route).</summary>
    private async Task<CommandReply> UnfreezeNamespaceAsync(CommandRequest request, string ns, CancellationToken cancellationToken)
    {
        var lifted = new List<(string Name, string After)>();
        var changed = new List<NamespaceChange>();
        Task AnnounceAsync() => changed.Count == 0 ? Task.CompletedTask
            : namespaceNotices.AnnounceAsync(ns, changed, NoticeKind.Unfrozen, "unfrozen", $"**{ns}** unfrozen by {request.Sender}: the policies decide again{(changed.Any(c => c.Detail.Length > 0) ? ", except as listed" : "")}", cancellationToken);
        foreach (var policy in await policies.ListAsync(ns, cancellationToken))
        {
            var result = await overrides.UnfreezeAsync(ns, policy.Metadata.Name, request.Sender, Channel, cancellationToken, request.MessageId, groupNotice: false);
            if (result.Problem is { } problem)
            {
                await AnnounceAsync();
                return CommandReply.Refused(lifted.Count == 0 ? problem : $"{problem} (unfrozen before it: {ChatAnswers.Names([.. lifted.Select(l => l.Name)])})");
            }

            if (!result.Unchanged)
            {
                await AuditAsync(ProposalFactory.TargetOf(policy), request, cancellationToken);
                var after = AfterLift(result.Policy ?? policy);
                lifted.Add((policy.Spec.Target.Name, after));
                if (result.Replayed is null)
                {
                    changed.Add(new NamespaceChange(result.Policy ?? policy, after == OverrideRules.DecidesAgain ? "" : after));
                }
            }
        }

        await AnnounceAsync();
        return lifted.Count == 0
            ? CommandReply.Refused($"No policy of namespace `{ns}` is frozen. Nothing was changed.")
            : CommandReply.Done("Unfrozen", $"**{ns}/{ChatAnswers.Names([.. lifted.Select(l => l.Name)])}** unfrozen by {request.Sender}: {MarkdownText.Escape(AfterLifts(lifted))}.");
    }

    private async Task<CommandReply> UnfreezeAsync(CommandRequest request, UnfreezeCommand command, CancellationToken cancellationToken)
    {
        if (command.Workload is null)
        {
            return await UnfreezeNamespaceAsync(request, command.Namespace, cancellationToken);
        }

        var policy = await overrides.FindByWorkloadAsync(command.Namespace, command.Workload, cancellationToken)
            ?? await policies.GetAsync(command.Namespace, command.Workload, cancellationToken);
        if (policy is null)
        {
            return CommandReply.Refused($"No ScalePolicy matches **{command.Namespace}/{command.Workload}**.");
        }

        var result = await overrides.UnfreezeAsync(command.Namespace, policy.Metadata.Name, request.Sender, Channel, cancellationToken, request.MessageId);
        if (result.Problem is { } problem)
        {
            return CommandReply.Refused(problem);
        }

        if (result.Unchanged)
        {
            return CommandReply.Refused($"**{command.Namespace}/{policy.Spec.Target.Name}** is not frozen. Nothing was changed.");
        }

        await AuditAsync(ProposalFactory.TargetOf(policy), request, cancellationToken);
        return CommandReply.Done("Unfrozen", $"**{command.Namespace}/{policy.Spec.Target.Name}** unfrozen by {request.Sender}: {MarkdownText.Escape(AfterLift(result.Policy ?? policy))}.");
    }

    private async Task<CommandReply> UnpinAsync(CommandRequest request, UnpinCommand command, CancellationToken cancellationToken)
    {
        var result = await overrides.UnpinAsync(command.Namespace, command.Workload, request.Sender, Channel, cancellationToken, request.MessageId);
        if (result.Problem is { } problem)
        {
            return CommandReply.Refused(problem);
        }

        if (result.Unchanged)
        {
            return CommandReply.Refused($"**{command.Namespace}/{command.Workload}** is not pinned. Nothing was changed.");
        }

        await AuditAsync(ProposalFactory.TargetOf(result.Policy!), request, cancellationToken);
        return CommandReply.Done("Unpinned", $"**{command.Namespace}/{command.Workload}** unpinned by {request.Sender}: {MarkdownText.Escape(AfterLift(result.Policy!))}.");
    }

    private string AfterLift(ScalePolicy policy) => OverrideRules.AfterLift(policy.Spec, time.GetUtcNow());

    /// <summary>What holds after a namespace's freezes are lifted: the policies decide again, save those a pin still holds.</summary>
    private static string AfterLifts(List<(string Name, string After)> lifted) =>
        lifted.Where(l => l.After != OverrideRules.DecidesAgain).Select(l => $"{l.Name} {l.After}").ToList() is { Count: > 0 } held
            ? $"the policies decide again, except {string.Join("; ", held.Take(ChatAnswers.MaxLines))}{(held.Count > ChatAnswers.MaxLines ? $" and {held.Count - ChatAnswers.MaxLines} more" : "")}"
            : "the policies decide again";

    /// <summary>undo a proposal by name, or the newest applied change of a workload: the same rules as the card's Undo button.</summary>
    private async Task<CommandReply> UndoAsync(CommandRequest request, UndoCommand command, CancellationToken cancellationToken)
    {
        var found = await UndoTargets.FindAsync(proposals, command.Namespace, command.Name, cancellationToken);
        if (found.Proposal is not { } proposal)
        {
            return CommandReply.Refused($"No applied change `{command.Namespace}/{command.Name}` (and none for a workload of that name). Send `history {command.Namespace}/<workload>`.");
        }

        if (found.IsAnUndo)
        {
            // `undo shop/api` sent twice (or by two people at once) undid the undo: the workload went back up. Its latest
            // change being an undo, the workload's name no longer says which change is meant; the undo's own name does.
            return CommandReply.Refused(
                $"The latest change of **{command.Namespace}/{command.Name}** is already an undo: {found.UndoText("`")}. Nothing was changed.\n\n" +
                $"To take that undo back, name it: `undo {command.Namespace}/{proposal.Metadata.Name}`");
        }

        var result = await undos.UndoAsync(
            new UndoOrder(command.Namespace, proposal.Metadata.Name, request.Sender, Channel, command.Reason ?? "undone in chat"), cancellationToken);
        var target = $"{command.Namespace}/{proposal.Spec.Target.Name}";
        if (result.Kind is UndoResultKind.Refused or UndoResultKind.NotFound)
        {
            return CommandReply.Refused($"Undo of **{target}** ({proposal.Metadata.Name}) refused: {ChatAnswers.InChatWords(result.Message)}");
        }

        await AuditAsync(ProposalFactory.TargetOf(proposal), request, cancellationToken);
        var undo = result.Proposal;
        var step = undo is null ? "" : $" {undo.Spec.FromReplicas} → {undo.Spec.ToReplicas}";
        return result.Kind == UndoResultKind.Applied
            ? CommandReply.Done("Undone", $"**{target}**{step} by {request.Sender}: {proposal.Metadata.Name} taken back\n\n{result.Message}")
            : CommandReply.Done("Awaits approval", $"**{target}**{step} requested by {request.Sender}: {result.Message}") with { ProposalName = undo?.Metadata.Name };
    }

    /// <summary>Announced traffic, as <c>scalectl prepare</c>: the same service, recorded with channel dingtalk-chat.</summary>
    private async Task<CommandReply> PrepareAsync(CommandRequest request, PrepareCommand command, CancellationToken cancellationToken)
    {
        var name = $"{command.Namespace}/{command.Workload}";
        if (await overrides.FindByWorkloadAsync(command.Namespace, command.Workload, cancellationToken) is not { } policy)
        {
            return CommandReply.Refused($"No ScalePolicy targets **{name}**. Nothing was recorded.");
        }

        if (!command.At.TryResolve(time.GetUtcNow(), command.Duration, clock.Zone, out var at))
        {
            return CommandReply.Refused($"That time does not exist in {clock.Zone.Id} on that day: the clocks skip it (daylight saving). Give another time or one with an offset. Nothing was recorded.");
        }

        var result = await preparations.PrepareAsync(command.Namespace, policy.Metadata.Name,
            new PrepareRequest(at, (int)command.Duration.TotalSeconds, command.Reason, command.Multiplier, command.Replicas),
            request.Sender, Channel, cancellationToken);
        if (result.Event is not { } expected)
        {
            return CommandReply.Refused($"Preparing **{name}** refused: {result.Message}. Nothing was recorded.");
        }

        await AuditAsync(ProposalFactory.TargetOf(policy), request, cancellationToken);
        var sizing = MarkdownText.Escape(PreparationService.Sizing(expected)); // its source may quote the metric source's error
        return CommandReply.Done("Prepared",
            $"📅 **{name}** expects traffic at {clock.Format(expected.At)} for {DurationText.Short(command.Duration)}: floor **{expected.Replicas}** replicas{sizing} " +
            $"from {clock.Format(expected.FloorStart())} until {clock.Format(expected.FloorEnd())}, by {request.Sender} · {ChatAnswers.Literal(command.Reason)}\n\n" +
            $"Event `{expected.Name}`: `unprepare {name} {expected.Name}` cancels it." +
            // The service's own caveats, as the group's notice has them: "at or below today's 90 replicas, so it changes nothing …".
            string.Concat(result.Notes.Select(n => $"\n\n{char.ToUpperInvariant(n[0])}{MarkdownText.Escape(n[1..])}.")));
    }

    /// <summary>
    /// Cancels an announced event, as <c>scalectl unprepare</c>: the same service, recorded with channel dingtalk-chat.
    /// Without an event name (or with one the policy does not have) it lists the events instead. Cancelling a floor that
    /// is in force now lets the policy scale down under traffic someone announced, so that waits for a confirmation.
    /// </summary>
    private async Task<CommandReply> UnprepareAsync(CommandRequest request, UnprepareCommand command, bool confirmed, CancellationToken cancellationToken)
    {
        var policy = await overrides.FindByWorkloadAsync(command.Namespace, command.Workload, cancellationToken)
            ?? await policies.GetAsync(command.Namespace, command.Workload, cancellationToken);
        if (policy is null)
        {
            return CommandReply.Refused($"No ScalePolicy matches **{command.Namespace}/{command.Workload}**. Nothing was changed.");
        }

        var name = $"{command.Namespace}/{policy.Spec.Target.Name}";
        var now = time.GetUtcNow();
        var events = policy.Spec.ExpectedEvents.Where(e => e.FloorEnd() > now).OrderBy(e => e.At).ToList();
        if (events.FirstOrDefault(e => e.Name == command.Event) is not { } cancelled)
        {
            var unknown = command.Event is null ? "" : $"**{name}** has no event `{command.Event}` still to come. ";
            var how = events.Count == 0 ? "" : $"\n\nCancel one with `unprepare {name} <event>`.";
            return CommandReply.Refused($"{unknown}{EventList(name, events)}{how} Nothing was changed.");
        }

        if (!confirmed && cancelled.FloorStart() <= now)
        {
            return await HoldAsync(request, policy, $"the floor of {cancelled.Replicas} replicas of `{cancelled.Name}` is in force now: without it the policy may scale down", cancellationToken);
        }

        var result = await preparations.CancelAsync(command.Namespace, policy.Metadata.Name, cancelled.Name, request.Sender, Channel, cancellationToken);
        if (result.Event is null)
        {
            return CommandReply.Refused($"Cancelling `{cancelled.Name}` of **{name}** refused: {result.Message}. Nothing was changed.");
        }

        await AuditAsync(ProposalFactory.TargetOf(policy), request, cancellationToken);
        return CommandReply.Done("Unprepared", $"📅 **{name}** event `{cancelled.Name}` at {clock.Format(cancelled.At)} cancelled by {request.Sender}: its floor of {cancelled.Replicas} is gone.");
    }

    private string EventList(string name, IReadOnlyList<ExpectedEventSpec> events) => events.Count == 0
        ? $"**{name}** has no expected events."
        : $"Expected events of **{name}**:\n\n" + string.Join("\n", events.Take(ChatAnswers.MaxLines).Select(e =>
            $"- `{e.Name}` at {clock.Format(e.At)} for {DurationText.Short(TimeSpan.FromSeconds(e.DurationSeconds))}: floor {e.Replicas} by {ChatAnswers.Literal(e.By ?? "")} · {ChatAnswers.Literal(e.Reason)}"));

    /// <summary>Nothing happens yet: the command is stored with a code, and a card with a Confirm button goes to whoever may confirm.</summary>
    private Task<CommandReply> HoldAsync(CommandRequest request, ScalePolicy policy, string risk, CancellationToken cancellationToken) =>
        HoldAsync(request, policy, [policy], risk, cancellationToken);

    /// <param name="policy">The policy the question is stored on.</param>
    /// <param name="changed">Every policy the command changes: the strictest of them says who may confirm (<see cref="ConfirmationRule"/>).</param>
    private async Task<CommandReply> HoldAsync(CommandRequest request, ScalePolicy policy, IReadOnlyList<ScalePolicy> changed, string risk, CancellationToken cancellationToken, bool outsideBounds = false)
    {
        var ask = ConfirmationRule.Ask(changed, request.Sender);
        if (ask.Problem is { } problem)
        {
            return CommandReply.Refused($"`{CodeSpanText.Quote(request.Text)}` needs another approver's confirmation, but {MarkdownText.Escape(problem)}. " +
                (changed.Count > 1 ? "Nothing was changed: freeze them one by one, or ask for an approver on every roster." : "Nothing was changed: ask for a second approver on its roster."));
        }

        var twoPersons = ask.OtherApprover;
        var approvers = ask.Approvers;
        if (await confirmations.HoldAsync(request, policy, approvers, twoPersons, cancellationToken, outsideBounds) is not { } pending)
        {
            return CommandReply.Refused($"{ChatConfirmations.MaxPerPolicy} commands on **{policy.Key}** already wait for a confirmation; confirm or let them expire first. Nothing was changed.");
        }

        var confirmers = twoPersons ? [.. approvers.Where(a => a != request.Sender)] : new[] { request.Sender };
        await confirmationCards.SendAsync(new ConfirmationCard(pending.Code, request.Sender, request.Conversation, confirmers,
            $"Confirm: {CodeSpanText.Quote(request.Text)}", $"{risk}. Asked by {MarkdownText.Escape(request.SenderName)}; nothing happens until confirmed.", pending.ExpiresAt), cancellationToken);
        var who = !twoPersons ? "you" : changed.Count == 1 ? "another approver of the policy" : $"another approver of every policy with the two-person rule ({string.Join(", ", confirmers)})";
        return new CommandReply(CommandOutcome.NeedsConfirmation, "Confirm",
            $"**Confirm?** `{CodeSpanText.Quote(request.Text)}`: {risk}.\n\nNothing was changed. {char.ToUpperInvariant(who[0])}{who[1..]} can tap **Confirm** on the card or send `confirm {pending.Code}` within {ChatConfirmations.Lifetime.TotalMinutes:0} minutes.");
    }

    private async Task<CommandReply> ConfirmAsync(CommandRequest request, Caller caller, ConfirmCommand command, CancellationToken cancellationToken)
    {
        if (await confirmations.FindAsync(command.Code, cancellationToken) is not { } pending)
        {
            return CommandReply.Refused($"No command waits for `{command.Code}` (codes last {ChatConfirmations.Lifetime.TotalMinutes:0} minutes and work once).");
        }

        var sender = pending.Request.Sender;
        var allowed = pending.OtherApprover
            ? request.Sender != sender && pending.Approvers.Contains(request.Sender)
            : request.Sender == sender;
        if (!allowed)
        {
            return CommandReply.Refused(pending.OtherApprover
                ? $"`{command.Code}` needs another approver of the policy than {sender}."
                : $"Only {sender} can confirm `{command.Code}`.");
        }

        // The confirmer acts with their own rights; the command is checked again (a stale `from` is still refused).
        if (NamespaceOf(pending.Request.Command) is { } ns && !caller.CanActIn(ns))
        {
            return CommandReply.Refused($"Confirming needs the operator role in `{ns}`; you are {ChatAnswers.Rights(caller)}.");
        }

        // The command runs with the asker's rights, so they must still be a known person (the roster is read at start).
        if (people.Find(sender) is not { } asker)
        {
            return CommandReply.Refused($"`{command.Code}` not confirmed: {sender}, who asked, is no longer in `ScaleControl:Auth:People`. Nothing was changed.");
        }

        var stored = await PolicyOfAsync(pending, cancellationToken);
        if (ConfirmationRoster.Refusal(pending, request.Sender, stored, await ChangedNowAsync(pending, stored, cancellationToken)) is { } refusal)
        {
            return CommandReply.Refused($"`{command.Code}` not confirmed: {refusal}");
        }

        if (!await confirmations.TryTakeAsync(pending, cancellationToken))
        {
            return CommandReply.Refused($"`{command.Code}` was already used.");
        }

        var confirmedRequest = pending.Request with { Text = $"{pending.Request.Text} (confirmed by {request.Sender})" };
        var reply = await RunAsync(confirmedRequest, asker, confirmed: true, cancellationToken, pending.OutsideBounds);
        if (pending.OtherApprover && reply.ProposalName is { } proposal && NamespaceOf(pending.Request.Command) is { } proposalNamespace)
        {
            // Under the two-person rule the sender's pin became a proposal with the sender's approval; the second
            // approver's confirmation is their approval of it, through the same inbox as a card tap.
            reply = await DecideAsync(request, proposalNamespace, proposal, approve: true, null, cancellationToken);
        }

        await confirmationCards.CloseAsync(command.Code, reply.Outcome == CommandOutcome.Done ? "confirmed" : "failed",
            $"{(reply.Outcome == CommandOutcome.Done ? "Confirmed" : "Confirmed, but not done")} by {MarkdownText.Escape(request.SenderName)}: {reply.Markdown}", cancellationToken);
        return reply;
    }

    /// <summary>The policy a confirmation is stored on, as the API server holds it now.</summary>
    private Task<ScalePolicy?> PolicyOfAsync(PendingConfirmation pending, CancellationToken cancellationToken)
    {
        var slash = pending.Policy.IndexOf('/');
        return policies.GetCurrentAsync(pending.Policy[..slash], pending.Policy[(slash + 1)..], cancellationToken);
    }

    /// <summary>The policies a waiting command would change now: the namespace's for <c>freeze ns/*</c>, else the one it is stored on.</summary>
    private async Task<IReadOnlyList<ScalePolicy>> ChangedNowAsync(PendingConfirmation pending, ScalePolicy? stored, CancellationToken cancellationToken) =>
        pending.Request.Command is FreezeCommand { Workload: null } freeze ? await policies.ListAsync(freeze.Namespace, cancellationToken)
        : stored is null ? [] : [stored];

    /// <summary>A Kubernetes Event on the workload: who typed what, in which channel.</summary>
    private Task AuditAsync(WorkloadRef target, CommandRequest request, CancellationToken cancellationToken) =>
        announcer.EventAsync(target, ChatCommandReason, $"{request.Sender} via dingtalk-chat: \"{CodeSpanText.Quote(request.Text)}\"", warning: false, cancellationToken);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Chat command {Verb} from {Sender} in {Conversation} via dingtalk-chat: \"{Text}\" → {Outcome}")]
    private static partial void LogCommand(ILogger logger, string sender, string verb, string conversation, string text, CommandOutcome outcome);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Chat proposals: {Proposal} could not be read from the API server ({Problem}); answered from the watch cache")]
    private static partial void LogStaleProposals(ILogger logger, string proposal, string problem);
}
