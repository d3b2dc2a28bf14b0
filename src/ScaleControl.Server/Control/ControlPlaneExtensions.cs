using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.Server.Chat;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Security;
using ScaleControl.Server.Telemetry;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Control;

public static class ControlPlaneExtensions
{
    /// <summary>
    /// The control service on top of the ports: the loop (leader only, with proposal retention), the approval inbox
    /// every channel uses, overrides, history, status and what-if. The adapters (ports) must be registered before;
    /// they are wrapped here to count calls for <c>/metrics</c>.
    /// </summary>
    public static WebApplicationBuilder AddScaleControlControlPlane(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScaleControlMetrics();
        services.Decorate<IWorkloadClient>((inner, sp) => new InstrumentedWorkloadClient(inner, sp.GetRequiredService<ScaleControlMetrics>()));
        services.Decorate<IApprovalNotifier>((inner, sp) => new InstrumentedApprovalNotifier(inner, sp.GetRequiredService<ScaleControlMetrics>()));
        services.Decorate<INoticePublisher>((inner, sp) => new InstrumentedNoticePublisher(inner, sp.GetRequiredService<ScaleControlMetrics>()));

        services.AddSingleton(new DecisionEngine());
        services.AddSingleton<PolicyRuntimes>();
        services.AddSingleton<PolicyValidity>();
        services.AddSingleton<FaultNotices>();
        services.AddSingleton<Announcer>();
        services.AddSingleton<OwnWrites>();
        services.AddSingleton<ProposalWriter>();
        services.AddApprovalSigning();
        services.AddSingleton<PolicySpecEditor>();
        services.AddSingleton<PinActivation>();
        services.AddSingleton<UndoCompletion>();
        services.AddSingleton<UndoService>();
        services.AddSingleton<IUndoInbox>(sp => sp.GetRequiredService<UndoService>());
        services.AddSingleton<UndoOffers>();
        services.AddSingleton<ObservedDecisions>();
        services.AddSingleton<CrashPoints>();
        services.AddSingleton<HoldPoints>();
        services.AddSingleton<ScaleApplier>();
        services.AddSingleton<BackgroundApplies>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundApplies>());
        services.AddSingleton<CardSync>();
        services.AddSingleton<ProposalWithdrawals>();
        services.AddSingleton<UngovernedProposals>();
        services.AddSingleton<CardReconciler>();
        services.AddSingleton<UnverifiedRejections>();
        services.AddSingleton<AutoStepNotices>();
        services.AddSingleton<CapacityAssessor>();
        services.AddSingleton<ProposalService>();
        services.AddSingleton<LeaderReadings>();
        services.AddSingleton<PolicyEvaluator>();
        services.AddSingleton<ProposalRetention>();
        services.AddSingleton<HistoryBackfill>();
        services.AddSingleton<AppliedChangeSync>();
        services.AddSingleton<Reconciler>();
        services.AddSingleton<ApprovalService>();
        services.AddSingleton<IApprovalInbox>(sp => sp.GetRequiredService<ApprovalService>());
        services.AddSingleton<OverrideService>();
        services.AddSingleton<NamespaceNotices>();
        services.AddSingleton<PreparationService>();
        services.AddSingleton<EventBaselineReader>();
        services.AddSingleton<NeedUnderOverride>();
        services.AddSingleton<HistoryService>();
        services.AddSingleton<NotReadyPodsReader>();
        services.AddSingleton<StatusService>();
        services.AddSingleton<WhatIfSimulator>();
        services.AddSingleton<ChatPeople>();
        services.AddSingleton<ChatConfirmations>();
        services.AddSingleton<ChatConversations>();
        services.TryAddSingleton(sp => GroupTimes.From(sp.GetRequiredService<IOptions<DingTalkOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ConfirmationExpiry>();
        services.AddSingleton<ChatCommandService>();
        services.AddSingleton<ICommandInbox>(sp => sp.GetRequiredService<ChatCommandService>());
        services.AddHostedService<ControlLoop>();
        return builder;
    }
}
