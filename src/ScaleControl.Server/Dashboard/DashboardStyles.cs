namespace ScaleControl.Server.Dashboard;

/// <summary>The dashboard's stylesheet: a dark control-room look, one grid, no framework.</summary>
internal static class DashboardStyles
{
    public const string Css = """
        :root {
          --bg: #0b1120; --panel: #111a2e; --panel-2: #16213a; --line: #23314f; --text: #e5ecf6; --muted: #8b9ab8;
          --traffic: #38bdf8; --predicted: #fbbf24; --ready: #34d399; --desired: #a78bfa; --current: #e2e8f0;
          --danger: #f87171; --warn: #fbbf24; --ok: #34d399; --radius: 14px;
          color-scheme: dark;
        }
        * { box-sizing: border-box; }
        html, body { margin: 0; background: var(--bg); color: var(--text); }
        body { font: 14px/1.45 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif; }
        h2 { font-size: 13px; font-weight: 600; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); margin: 0 0 12px; }
        button { font: inherit; cursor: pointer; }
        .muted { color: var(--muted); }
        .hint { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
        .error { color: var(--danger); font-size: 13px; min-height: 1em; }
        [hidden] { display: none !important; }

        .topbar { position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 14px; padding: 12px 24px;
          background: rgba(11, 17, 32, .88); backdrop-filter: blur(8px); border-bottom: 1px solid var(--line); }
        .brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 17px; letter-spacing: .01em; }
        .brand svg { width: 28px; height: 28px; }
        .spacer { flex: 1; }
        .badge { padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; background: var(--panel-2); border: 1px solid var(--line); }
        .badge.sandbox { color: #fde68a; border-color: #854d0e; background: #422006; }
        .badge.cluster { color: #bae6fd; border-color: #075985; background: #082f49; }
        .live { display: inline-flex; align-items: center; gap: 8px; color: var(--muted); font-size: 12px; }
        .live i { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); }
        .live[data-state="live"] i { background: var(--ok); box-shadow: 0 0 0 0 rgba(52, 211, 153, .7); animation: pulse 2s infinite; }
        .live[data-state="down"] i { background: var(--danger); }
        @keyframes pulse { 0% { box-shadow: 0 0 0 0 rgba(52, 211, 153, .6); } 70% { box-shadow: 0 0 0 8px rgba(52, 211, 153, 0); } 100% { box-shadow: 0 0 0 0 rgba(52, 211, 153, 0); } }
        .ghost { background: transparent; color: var(--muted); border: 1px solid var(--line); border-radius: 8px; padding: 4px 10px; }
        .primary { background: linear-gradient(180deg, #f97316, #ea580c); color: white; border: 0; border-radius: 10px; padding: 10px 14px; font-weight: 600; width: 100%; }
        .primary .flame { width: 16px; height: 16px; vertical-align: -3px; margin-right: 6px; }
        .primary:disabled { opacity: .6; cursor: progress; }
        .banner { margin: 12px 24px 0; padding: 10px 14px; border-radius: 10px; background: #3b0d0d; border: 1px solid #7f1d1d; color: #fecaca; }

        .layout { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 24px; padding: 20px 24px 40px; align-items: start; }
        body:not(.sandbox) .layout { grid-template-columns: minmax(0, 1fr); }
        body:not(.sandbox) .sandbox-only { display: none; }
        .main-column { display: flex; flex-direction: column; gap: 24px; min-width: 0; }
        .side { position: sticky; top: 76px; display: flex; flex-direction: column; gap: 16px; }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; }
        .proposal-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 10px; }
        .count { display: inline-block; min-width: 20px; padding: 0 6px; margin-left: 6px; border-radius: 999px; background: var(--panel-2); color: var(--text); text-align: center; }
        .count.hot { background: #7c2d12; color: #fed7aa; }
        .empty { color: var(--muted); margin: 0; }

        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 16px; }
        .card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px 16px 10px; transition: border-color .3s; }
        .card.attention { border-color: #c2410c; box-shadow: 0 0 0 1px #c2410c inset; }
        .card-head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
        .card-title { font-size: 16px; font-weight: 650; }
        .card-title .ns { color: var(--muted); font-weight: 500; }
        .chip { white-space: nowrap; font-size: 11px; font-weight: 600; padding: 1px 8px; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); }
        .chip.mode-Approval { color: #c4b5fd; border-color: #5b21b6; }
        .chip.mode-Auto { color: #6ee7b7; border-color: #047857; }
        .chip.mode-Hybrid { color: #93c5fd; border-color: #1d4ed8; }
        .chip.frozen { color: #bae6fd; background: #0c4a6e; border-color: #0369a1; }
        .chip.pinned { color: #fde68a; background: #422006; border-color: #a16207; }
        .chip.awaiting { color: #fed7aa; background: #7c2d12; border-color: #c2410c; }
        .chip.hotevent { color: #fecaca; background: #450a0a; border-color: #b91c1c; }
        .chip.problem { color: #fecaca; border-color: #b91c1c; }
        .target { color: var(--muted); font-size: 12px; margin-left: auto; }
        .stats { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 12px 0 6px; }
        .stat { background: var(--panel-2); border-radius: 10px; padding: 8px 10px; }
        .stat .label { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
        .stat .value { font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
        .stat .value small { font-size: 12px; color: var(--muted); font-weight: 500; margin-left: 4px; }
        .stat.ready .value { color: var(--ready); }
        .stat.desired .value { color: var(--desired); }
        .stat.traffic .value { color: var(--traffic); }
        .stat.predicted .value { color: var(--predicted); }
        .chart { width: 100%; height: 120px; display: block; margin-top: 6px; }
        .chart text { fill: var(--muted); font-size: 10px; font-variant-numeric: tabular-nums; }
        .chart .grid { stroke: var(--line); stroke-width: 1; }
        .legend { display: flex; gap: 14px; font-size: 11px; color: var(--muted); margin: 2px 0 4px; }
        .legend span::before { content: ""; display: inline-block; width: 14px; height: 3px; border-radius: 2px; margin-right: 6px; vertical-align: middle; background: var(--c); }
        .legend span.dashed::before { background: repeating-linear-gradient(90deg, var(--c) 0 4px, transparent 4px 7px); }
        .reason { font-size: 12px; color: var(--muted); margin: 6px 0 4px; min-height: 1.4em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

        .proposal-list, .timeline { list-style: none; margin: 0; padding: 0; }
        .timeline { display: flex; flex-direction: column; gap: 8px; }
        .proposal { background: var(--panel-2); border: 1px solid #7c2d12; border-radius: 10px; padding: 10px 12px; }
        .proposal .row { display: flex; gap: 8px; align-items: baseline; }
        .proposal .step { font-size: 18px; font-weight: 700; font-variant-numeric: tabular-nums; }
        .proposal .step .arrow { color: var(--predicted); margin: 0 4px; }
        .proposal .expires { margin-left: auto; font-size: 12px; color: var(--warn); font-variant-numeric: tabular-nums; }
        .proposal .why { font-size: 12px; color: var(--muted); margin-top: 4px; }
        .timeline li { display: grid; grid-template-columns: 64px 92px minmax(0, 1fr); gap: 8px; align-items: baseline; font-size: 12.5px; }
        .timeline time { color: var(--muted); font-variant-numeric: tabular-nums; }
        .kind { font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 6px; background: var(--panel-2); text-align: center; }
        .kind.Applied, .kind.AutoScaled, .kind.Approved { color: #6ee7b7; }
        .kind.Proposed { color: #fdba74; }
        .kind.Rejected, .kind.Failed, .kind.Expired { color: #fca5a5; }
        .kind.Pinned, .kind.Frozen, .kind.Unfrozen, .kind.Superseded { color: #93c5fd; }
        .timeline .what { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

        .hot form { display: flex; flex-direction: column; gap: 12px; }
        .hot label { display: flex; flex-direction: column; gap: 6px; font-size: 12px; color: var(--muted); }
        .hot select, .hot input[type=number], #login input { background: var(--panel-2); color: var(--text); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; font: inherit; }
        .hot input[type=range] { accent-color: #f97316; }
        .hot output { color: var(--text); font-weight: 700; margin-left: 4px; }
        .hot details summary { color: var(--muted); font-size: 12px; cursor: pointer; }
        .hot .shape { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin-top: 8px; }
        .hot .shape input { width: 100%; }

        .phone-wrap { display: flex; flex-direction: column; align-items: center; }
        .phone { position: relative; width: 360px; height: 640px; border-radius: 40px; padding: 14px; background: #020617;
          border: 1px solid #334155; box-shadow: 0 30px 60px -20px rgba(0, 0, 0, .8), inset 0 0 0 2px #1e293b; }
        .phone .notch { position: absolute; top: 14px; left: 50%; transform: translateX(-50%); width: 120px; height: 22px; border-radius: 0 0 14px 14px; background: #020617; z-index: 1; }
        .phone iframe { width: 100%; height: 100%; border: 0; border-radius: 28px; background: #f5f5f5; }

        dialog { background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: var(--radius); padding: 24px; width: min(420px, 90vw); }
        dialog::backdrop { background: rgba(2, 6, 23, .75); }
        #login form { display: flex; flex-direction: column; gap: 12px; }
        #login h2 { text-transform: none; letter-spacing: 0; font-size: 18px; color: var(--text); }

        @media (max-width: 1100px) {
          .layout { grid-template-columns: minmax(0, 1fr); }
          .side { position: static; }
          .cards { grid-template-columns: minmax(0, 1fr); }
        }
        """;
}
