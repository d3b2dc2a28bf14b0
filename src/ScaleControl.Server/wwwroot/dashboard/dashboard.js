// The dashboard's script: polls GET /api/v1/dashboard, draws each workload's charts as inline SVG, lists open
// proposals and recent actions, and (sandbox only) starts hot events next to the emulated phone.
// Everything from the server goes in through textContent, never as markup. Each poll patches the page in place
// (patchChildren), so a selection being copied, the focus and an open tooltip survive the refresh.
(() => {
  'use strict';
  const { TOKEN_KEY, h, problemText, tokenCandidates, fmt } = window.ScaleControl;
  const POLL_MS = 1500;
  const MINUTES = 30;
  // The loop ticks every second or so; docs/operations.md alerts when the last tick is older than this.
  const STALLED_TICK_MS = 30000;

  const state = { token: null, tokenFromUser: false, timer: null, sandboxReady: false, hotEvents: [], workloadsKey: '' };
  const $ = id => document.getElementById(id);

  // Makes parent's children look like `wanted` while keeping the nodes that are already there: same tag → its
  // attributes and children are patched, same text → the text node is left alone. Replacing the nodes on every poll
  // dropped a selection (copying the `scalectl approve` line) and the focus every 1.5 s.
  function patchChildren(parent, wanted) {
    const nodes = wanted.map(w => (w instanceof Node ? w : document.createTextNode(String(w))));
    nodes.forEach((want, i) => {
      const have = parent.childNodes[i];
      if (!have) parent.append(want);
      else if (!patchNode(have, want)) parent.replaceChild(want, have);
    });
    while (parent.childNodes.length > nodes.length) parent.lastChild.remove();
  }

  function patchNode(have, want) {
    if (have.nodeType !== want.nodeType || have.nodeName !== want.nodeName || have.namespaceURI !== want.namespaceURI) return false;
    if (have.nodeType === Node.TEXT_NODE) {
      if (have.data !== want.data) have.data = want.data;
      return true;
    }
    if (have.nodeType !== Node.ELEMENT_NODE) return false;
    for (const a of [...have.attributes]) if (!want.hasAttribute(a.name)) have.removeAttribute(a.name);
    for (const a of want.attributes) if (have.getAttribute(a.name) !== a.value) have.setAttribute(a.name, a.value);
    patchChildren(have, [...want.childNodes]);
    return true;
  }

  // ---- formatting -------------------------------------------------------------------------------------
  const clock = t => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const ago = t => {
    const s = Math.max(0, Math.round((Date.now() - new Date(t).getTime()) / 1000));
    return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h${Math.floor(s % 3600 / 60)}m`;
  };
  const countdown = t => {
    const s = Math.round((new Date(t).getTime() - Date.now()) / 1000);
    if (s <= 0) return 'expiring';
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
  };
  const until = t => {
    const m = Math.max(0, Math.round((new Date(t).getTime() - Date.now()) / 60000));
    return m < 60 ? `${m}m left` : `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''} left`;
  };
  const targetName = t => !t ? '' : typeof t === 'string' ? t.split('/').pop() : (t.name || '');
  const targetText = t => !t ? '' : typeof t === 'string' ? t : `${t.kind || 'Deployment'}/${t.name}`;
  const key = (ns, name) => `${ns}/${name}`;
  const proposalPage = (ns, name) => `/proposals/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;

  // ---- API ---------------------------------------------------------------------------------------------
  const api = (path, options) => window.ScaleControl.api(path, state.token, options);

  // ---- connection: stored token, else the sandbox's demo admin token, else ask ---------------------------
  async function connect() {
    for (const [token, fromUser] of tokenCandidates()) {
      state.token = token;
      state.tokenFromUser = fromUser;
      let res;
      try { res = await api(`/api/v1/dashboard?minutes=${MINUTES}`); }
      catch { setLive('down', 'server unreachable'); return schedule(); }
      if (res.ok) { render(await res.json()); return schedule(); }
      if (res.status === 401 && fromUser) localStorage.removeItem(TOKEN_KEY);
      if (res.status !== 401 && res.status !== 403) { showBanner(await problemText(res)); return schedule(); }
    }
    state.token = null;
    askForToken('');
  }

  function askForToken(message) {
    clearTimeout(state.timer);
    setLive('down', 'signed out');
    $('login-error').textContent = message;
    if (!$('login').open) $('login').showModal();
  }

  $('login-form').addEventListener('submit', async e => {
    e.preventDefault();
    state.token = $('login-token').value.trim();
    const res = await api(`/api/v1/dashboard?minutes=${MINUTES}`).catch(() => null);
    if (!res) { $('login-error').textContent = 'The server cannot be reached.'; return; }
    if (!res.ok) { $('login-error').textContent = res.status === 401 ? 'This token is not accepted.' : await problemText(res); return; }
    localStorage.setItem(TOKEN_KEY, state.token);
    state.tokenFromUser = true;
    $('login').close();
    render(await res.json());
    schedule();
  });

  $('signout').addEventListener('click', () => {
    localStorage.removeItem(TOKEN_KEY);
    state.token = null;
    askForToken('');
  });

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    try {
      const res = await api(`/api/v1/dashboard?minutes=${MINUTES}`);
      if (res.status === 401) {
        if (state.tokenFromUser) localStorage.removeItem(TOKEN_KEY);
        return askForToken('The token is no longer accepted.');
      }
      if (!res.ok) { showBanner(await problemText(res)); setLive('down', `HTTP ${res.status}`); }
      else render(await res.json());
      if (document.body.classList.contains('sandbox')) await refreshHotEvents();
    } catch {
      // The cards keep the last answer: say plainly that it is old, not only with the dot's colour.
      setLive('down', 'server unreachable, retrying');
      showBanner(state.lastAnswer
        ? `Cannot reach ScaleControl since ${clock(state.lastAnswer)}: the numbers below are from then. Retrying every ${POLL_MS / 1000} s.`
        : 'Cannot reach ScaleControl. Retrying…');
    }
    schedule();
  }

  function setLive(kind, text) {
    $('live').dataset.state = kind;
    $('live-text').textContent = text;
  }

  function showBanner(text) { showWarning('banner', text); }

  // The page is live, but is the loop? Only the leader ticks: a leader whose last tick is old has stalled, and
  // without a leader nothing is evaluated or applied. The numbers below are then from the last evaluation.
  function showLoopHealth(status) {
    const tickAge = status.lastTick ? Date.now() - new Date(status.lastTick).getTime() : null;
    let problem = '';
    if (!status.leader) problem = 'No leader: nothing is evaluated or applied until a replica takes the lease.';
    else if (status.isLeader && (tickAge === null || tickAge > STALLED_TICK_MS)) {
      problem = status.lastTick
        ? `The control loop has not ticked for ${ago(status.lastTick)} (last tick ${clock(status.lastTick)}): the numbers below are from then.`
        : 'The control loop has not ticked yet: the numbers below are from the policies\' last stored status.';
    }
    showWarning('loop-health', problem);
    if (problem) setLive('stale', status.leader ? `loop stalled · last tick ${status.lastTick ? `${ago(status.lastTick)} ago` : 'never'}` : 'no leader');
    else setLive('live', status.isLeader && status.lastTick ? `live · tick ${ago(status.lastTick)} ago` : `live · leader ${status.leader}`);
  }

  // Metrics without data: the policy holds its replicas (fail static). Say so once for the page, with the source's own words.
  function showMetricHealth(policies) {
    const failing = policies.filter(p => (p.metrics || []).some(m => m.problem));
    const problems = [...new Set(failing.flatMap(p => p.metrics.filter(m => m.problem).map(m => `${m.name}: ${m.problem}`)))];
    showWarning('metric-health', failing.length === 0 ? '' :
      `Metrics without data for ${failing.length} of ${policies.length} policies: ${problems.slice(0, 2).join('; ')}${problems.length > 2 ? ` (and ${problems.length - 2} more)` : ''}. ` +
      'Fail static: those policies do not scale down until data returns.');
  }

  // Proposals waiting for approval whose card DingTalk did not deliver (or whose escalation failed): nobody may know.
  function showUnseen(unseen) {
    showWarning('unseen-health', unseen.length === 0 ? '' :
      `${unseen.length} ${unseen.length === 1 ? 'proposal waits' : 'proposals wait'} for approval with no card in the group: ` +
      `${unseen.slice(0, 2).map(u => `${u.workload} ${u.line}`).join(' · ')}${unseen.length > 2 ? ` (and ${unseen.length - 2} more: scalectl status)` : ''}`);
  }

  function showWarning(id, text) {
    $(id).textContent = text;
    $(id).hidden = !text;
  }

  // ---- rendering ---------------------------------------------------------------------------------------
  function render(data) {
    const status = data.status || {};
    const sandbox = status.mode === 'sandbox';
    state.lastAnswer = Date.now();
    showBanner('');
    showLoopHealth(status);
    showMetricHealth(status.policies || []);
    showUnseen(status.unseen || []);
    $('mode').textContent = sandbox ? 'sandbox' : (status.mode || 'cluster');
    $('mode').className = `badge ${sandbox ? 'sandbox' : 'cluster'}`;
    $('leader').textContent = status.leader ? `leader ${status.leader}${status.isLeader ? ' (this replica)' : ''}` : '';
    $('signout').hidden = !state.tokenFromUser;
    document.body.classList.toggle('sandbox', sandbox);
    if (sandbox && !state.sandboxReady) setUpSandbox();

    const policies = status.policies || [];
    renderWorkloads(policies, data.series || [], data.proposals || []);
    renderProposals(data.proposals || []);
    renderRecent(data.recent || []);
    if (sandbox) fillWorkloadSelect(policies);
  }

  function renderWorkloads(policies, series, proposals) {
    const root = $('workloads');
    if (policies.length === 0) {
      patchChildren(root, [h('p', { class: 'empty', text: 'No ScalePolicies yet. Apply one with: scalectl policy apply -f policy.yaml' })]);
      return;
    }
    const byKey = new Map(series.map(s => [key(s.namespace, s.name), s]));
    const open = new Map(proposals.map(p => [key(p.metadata.namespace, p.spec.policyName), p]));
    // Workloads waiting for a person come first; the rest in name order so cards do not jump around.
    const waiting = p => open.has(key(p.namespace, p.name)) || !!p.openProposal;
    const sorted = [...policies].sort((a, b) => (waiting(b) - waiting(a)) || key(a.namespace, a.name).localeCompare(key(b.namespace, b.name)));
    patchChildren(root, sorted.map(p => workloadCard(p,
      byKey.get(key(p.namespace, p.name)) || byKey.get(key(p.namespace, targetName(p.target))),
      open.get(key(p.namespace, p.name)))));
  }

  function workloadCard(p, series, proposal) {
    const points = (series && series.points) || [];
    const last = points.length ? points[points.length - 1] : {};
    const metric = (p.metrics || [])[0] || {};
    const now = Date.now();
    const frozen = p.frozenUntil && new Date(p.frozenUntil).getTime() > now;
    const pinned = p.pinnedUntil && new Date(p.pinnedUntil).getTime() > now;
    const hot = state.hotEvents.filter(e => e.namespace === p.namespace && e.workload === targetName(p.target) && e.phase !== 'Ended' && e.phase !== 'Done');
    const problems = (p.metrics || []).filter(m => m.problem);
    const past = pastNote(points);
    // Without an applied change on record the replicas of that time are not known: no line, so no legend for one.
    const pastReplicas = past && points.some(pt => pt.backfilled && typeof pt.current === 'number');

    // Observe: the desired line is what it would run; nothing was written (the chip says how far from what runs).
    const observing = p.mode === 'Observe';
    const would = observing && p.desiredReplicas != null && p.currentReplicas != null && p.desiredReplicas !== p.currentReplicas
      ? ` · would ${p.currentReplicas} → ${p.desiredReplicas}` : '';
    const chips = [
      h('span', { class: `chip mode-${p.mode}`, title: observing ? 'observe only: decided as Auto, nothing written' : null, text: `${p.mode || ''}${would}` }),
      frozen ? h('span', { class: 'chip frozen', text: `frozen · ${until(p.frozenUntil)}` }) : null,
      pinned ? h('span', { class: 'chip pinned', text: `pinned at ${p.pinnedReplicas} · ${until(p.pinnedUntil)}` }) : null,
      proposal || p.openProposal ? h('span', { class: 'chip awaiting', text: 'awaiting approval' }) : null,
      ...hot.map(e => h('span', { class: 'chip hotevent', text: `hot event ${e.multiplier}× · ${String(e.phase || '').toLowerCase()}` })),
      ...problems.map(m => h('span', { class: 'chip problem', title: m.problem, text: `${m.name}: no data` })),
    ];

    // Without data now, the last good value is shown as stale (with its age) rather than as a blank.
    const lastGood = metric.problem ? [...points].reverse().find(pt => typeof pt.value === 'number') : null;
    const value = metric.problem ? lastGood?.value : metric.value ?? last.value;
    const predicted = metric.problem ? null : metric.predicted ?? last.predicted;
    const card = h('article', { class: `card${proposal || p.openProposal ? ' attention' : ''}`, 'data-workload': key(p.namespace, p.name) },
      h('div', { class: 'card-head' },
        h('span', { class: 'card-title' }, h('span', { class: 'ns', text: `${p.namespace}/` }), p.name),
        ...chips,
        h('span', { class: 'target', text: targetText(p.target) })),
      h('div', { class: 'stats' },
        stat(metric.problem ? 'traffic stale' : 'traffic', metric.name || 'traffic', fmt(value),
          metric.problem ? (lastGood ? `/s · stale ${ago(lastGood.time)}` : 'no data') : '/s'),
        stat('predicted', 'predicted', fmt(predicted), '/s'),
        stat('ready', 'ready', p.readyReplicas ?? last.ready ?? '–', null, 'ready'),
        stat('desired', observing ? 'would run' : 'desired', p.desiredReplicas ?? last.desired ?? '–', p.currentReplicas != null ? `now ${p.currentReplicas}` : null, 'desired')),
      legend([['Traffic', 'var(--traffic)'], ['Predicted', 'var(--predicted)', true], past && ['from Prometheus after a restart', 'var(--backfilled)', true, past]]),
      chart(points, [
        { field: 'value', color: 'var(--traffic)', area: true },
        { field: 'predicted', color: 'var(--predicted)', dashed: true },
      ], { format: fmt, past, label: `${key(p.namespace, p.name)}: ${metric.name || 'traffic'} and predicted traffic; now ${fmt(value)}/s` }),
      legend([['Ready', 'var(--ready)'], [observing ? 'Would run (observed)' : 'Desired', 'var(--desired)', true], ['Current', 'var(--current)'], pastReplicas && ['from applied changes after a restart', 'var(--backfilled)', true, past]]),
      chart(points, [
        { field: 'ready', color: 'var(--ready)', area: true, step: true },
        { field: 'desired', color: 'var(--desired)', dashed: true, step: true },
        { field: 'current', color: 'var(--current)', step: true, thin: true },
      ], { integer: true, past, label: `${key(p.namespace, p.name)}: replicas; now ready ${p.readyReplicas ?? last.ready ?? '–'}, desired ${p.desiredReplicas ?? last.desired ?? '–'}, current ${p.currentReplicas ?? last.current ?? '–'}` }),
      ...problems.map(m => h('p', { class: 'metric-problem', text: `${m.name}: ${m.problem}` })),
      // Why READY is below CURRENT, in the scheduler's or kubelet's words (the server reads the pods only then).
      ...((p.notReady && p.notReady.lines) || []).map(line => h('p', { class: 'not-ready', text: line })),
      h('p', { class: 'reason' },
        p.lastEvaluation ? h('time', { datetime: p.lastEvaluation, title: clock(p.lastEvaluation), text: `evaluated ${ago(p.lastEvaluation)} ago` }) : null,
        p.lastEvaluation && p.lastReason ? ' · ' : null,
        p.lastReason || ''));
    return card;
  }

  function stat(cls, label, value, small, role) {
    return h('div', { class: `stat ${cls}` },
      h('div', { class: 'label', text: label }),
      h('div', { class: 'value', 'data-role': role || null }, String(value), small ? h('small', { text: small }) : null));
  }

  function legend(items) {
    return h('div', { class: 'legend' }, items.filter(Boolean).map(([name, color, dashed, title]) =>
      h('span', { class: dashed ? 'dashed' : null, style: `--c:${color}`, title, text: name })));
  }

  // Samples the server filled in (`backfilled`) for a time its loop was not watching: what the legend's and the
  // band's tooltip say, or null when every sample was evaluated.
  function pastNote(points) {
    const filled = points.filter(pt => pt.backfilled);
    if (filled.length === 0) return null;
    return `${clock(filled[0].time)}–${clock(filled[filled.length - 1].time)}: filled in after a restart, a leader change or a new policy. ` +
      'Traffic from Prometheus, replicas from the applied changes (ScaleProposals); no prediction, desired or ready count for that time.';
  }

  // The runs of filled-in samples, each up to the next evaluated one (so its line joins the live line without a break).
  function backfilledRuns(points) {
    const runs = [];
    let run = null;
    for (const pt of points) {
      if (pt.backfilled) {
        if (!run) runs.push(run = []);
        run.push(pt);
      }
      else if (run) { run.push(pt); run = null; }
    }
    return runs;
  }

  // A small SVG line chart: time on x (the last MINUTES), values on y from 0 to a rounded maximum.
  function chart(points, lines, options) {
    const W = 600, H = 120, L = 40, R = 8, T = 8, B = 18;
    const svg = h('svg:svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': options.label });
    // The window is the data's own span (at least 5 minutes, at most MINUTES), so a fresh start is not a sliver.
    const end = points.length ? new Date(points[points.length - 1].time).getTime() : Date.now();
    const first = points.length ? new Date(points[0].time).getTime() : end;
    const minutes = Math.min(MINUTES, Math.max(5, Math.ceil((end - first) / 60000)));
    const start = end - minutes * 60 * 1000;
    let max = 0;
    for (const pt of points) for (const l of lines) { const v = pt[l.field]; if (typeof v === 'number' && v > max) max = v; }
    max = niceMax(max, options.integer);
    const x = t => L + (new Date(t).getTime() - start) / (end - start || 1) * (W - L - R);
    const y = v => T + (1 - v / max) * (H - T - B);

    for (const f of [0, 0.5, 1]) {
      const v = max * f;
      svg.append(h('svg:line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      svg.append(h('svg:text', { x: L - 6, y: y(v) + 3, 'text-anchor': 'end', text: options.integer ? String(Math.round(v)) : fmt(v) }));
    }
    for (const [f, label] of [[0, `-${minutes}m`], [0.5, `-${minutes / 2}m`], [1, 'now']]) {
      svg.append(h('svg:text', { x: L + f * (W - L - R), y: H - 4, 'text-anchor': f === 0 ? 'start' : f === 1 ? 'end' : 'middle', text: label }));
    }
    const shown = points.filter(pt => new Date(pt.time).getTime() >= start);
    // The time the loop was not watching, shaded behind the lines; its tooltip says where the samples came from.
    for (const run of backfilledRuns(shown)) {
      const x0 = x(run[0].time), x1 = x(run[run.length - 1].time);
      svg.append(h('svg:rect', { class: 'backfilled-band', x: x0.toFixed(1), y: T, width: Math.max(1, x1 - x0).toFixed(1), height: H - T - B },
        h('svg:title', { text: options.past })));
    }
    for (const l of lines) {
      const pts = shown.filter(pt => typeof pt[l.field] === 'number');
      // Filled-in runs grey and dotted, never with the live line's colour: they were not evaluated.
      for (const run of backfilledRuns(pts)) {
        svg.append(h('svg:path', {
          d: linePath(run, l.field, l.step, x, y), class: 'backfilled', fill: 'none', stroke: 'var(--backfilled)', 'stroke-width': 1.5,
          'vector-effect': 'non-scaling-stroke', 'stroke-dasharray': '2 3', 'data-series': l.field, 'data-backfilled': 'true',
        }));
      }
      const live = pts.filter(pt => !pt.backfilled);
      if (live.length === 0) continue;
      const d = linePath(live, l.field, l.step, x, y);
      if (l.area) {
        svg.append(h('svg:path', { d: `${d}V${y(0)}H${x(live[0].time).toFixed(1)}Z`, fill: l.color, 'fill-opacity': 0.12, stroke: 'none' }));
      }
      svg.append(h('svg:path', {
        d, fill: 'none', stroke: l.color, 'stroke-width': l.thin ? 1.2 : 2, 'vector-effect': 'non-scaling-stroke',
        'stroke-dasharray': l.dashed ? '5 4' : null, 'stroke-linejoin': 'round', 'data-series': l.field,
      }));
    }
    return svg;
  }

  function linePath(pts, field, step, x, y) {
    let d = `M${x(pts[0].time).toFixed(1)},${y(pts[0][field]).toFixed(1)}`;
    for (let i = 1; i < pts.length; i++) {
      const px = x(pts[i].time).toFixed(1), py = y(pts[i][field]).toFixed(1);
      d += step ? `H${px}V${py}` : `L${px},${py}`;
    }
    return d;
  }

  function niceMax(v, integer) {
    if (!(v > 0)) return integer ? 4 : 1;
    const padded = v * 1.15;
    const p = Math.pow(10, Math.floor(Math.log10(padded)));
    const n = [1, 2, 2.5, 5, 10].find(m => m * p >= padded) * p;
    return integer ? Math.max(2, Math.ceil(n / 2) * 2) : n;
  }

  function renderProposals(proposals) {
    $('proposal-count').textContent = proposals.length;
    $('proposal-count').classList.toggle('hot', proposals.length > 0);
    if (proposals.length === 0) {
      patchChildren($('proposals'), [h('li', { class: 'empty', text: 'Nothing waiting for approval.' })]);
      return;
    }
    patchChildren($('proposals'), proposals.map(p => {
      const approvals = (p.status && p.status.approvals) || [];
      const id = key(p.metadata.namespace, p.metadata.name);
      return h('li', { class: 'proposal', 'data-proposal': id },
        h('div', { class: 'row' },
          h('a', { class: 'details', href: proposalPage(p.metadata.namespace, p.metadata.name), text: `${p.metadata.namespace}/${targetName(p.spec.target) || p.spec.policyName}` }),
          h('span', { class: 'expires', text: p.spec.expiresAt ? countdown(p.spec.expiresAt) : '' })),
        h('div', { class: 'row' },
          h('span', { class: 'step' }, String(p.spec.fromReplicas), h('span', { class: 'arrow', text: '→' }), String(p.spec.toReplicas)),
          h('span', { class: 'muted', text: `replicas · ${approvals.length}/${p.spec.requiredApprovals || 1} approvals` })),
        h('div', { class: 'why', text: p.spec.reason || '' }),
        h('div', { class: 'why', text: `scalectl approve ${p.metadata.namespace}/${p.metadata.name}` }));
    }));
  }

  function renderRecent(entries) {
    if (entries.length === 0) {
      patchChildren($('recent'), [h('li', { class: 'empty', text: 'No actions yet.' })]);
      return;
    }
    patchChildren($('recent'), entries.slice(0, 20).map(e => {
      const step = e.from != null && e.to != null ? ` ${e.from} → ${e.to}` : e.to != null ? ` → ${e.to}` : '';
      const who = e.by ? ` · ${e.by}${e.channel ? ` via ${e.channel}` : ''}` : '';
      return h('li', { 'data-kind': e.kind },
        h('time', { datetime: e.time, text: clock(e.time) }),
        h('span', { class: `kind ${e.kind}`, text: e.kind }),
        h('span', { class: 'what', title: e.message || '', text: `${e.namespace}/${e.workload}${step}${who}${e.message ? ` — ${e.message}` : ''}` }));
    }));
  }

  // ---- sandbox: hot events and the phone -----------------------------------------------------------------
  function setUpSandbox() {
    state.sandboxReady = true;
    $('phone').src = '/sandbox/dingtalk/phone';
    $('hot-multiplier').addEventListener('input', e => { $('hot-multiplier-value').textContent = e.target.value; });
    $('hot-form').addEventListener('submit', startHotEvent);
  }

  function fillWorkloadSelect(policies) {
    const options = policies.map(p => key(p.namespace, targetName(p.target))).filter((v, i, a) => v.split('/')[1] && a.indexOf(v) === i).sort();
    const joined = options.join(',');
    if (joined === state.workloadsKey) return;
    state.workloadsKey = joined;
    const select = $('hot-workload');
    const selected = select.value;
    select.replaceChildren(...options.map(o => h('option', { value: o, text: o })));
    if (options.includes(selected)) select.value = selected;
  }

  async function refreshHotEvents() {
    try {
      const res = await fetch('/sandbox/traffic/hot-events', { cache: 'no-store' });
      if (res.ok) state.hotEvents = await res.json();
    } catch { /* the next poll tries again */ }
  }

  async function startHotEvent(e) {
    e.preventDefault();
    const [namespace, workload] = $('hot-workload').value.split('/');
    const body = {
      namespace, workload,
      multiplier: Number($('hot-multiplier').value),
      rampSeconds: Number($('hot-ramp').value),
      holdSeconds: Number($('hot-hold').value),
      decaySeconds: Number($('hot-decay').value),
    };
    $('hot-start').disabled = true;
    try {
      const res = await api('/sandbox/traffic/hot-events', { method: 'POST', body: JSON.stringify(body) });
      $('hot-result').textContent = res.ok
        ? `${namespace}/${workload} is getting ${body.multiplier}× traffic. Watch the card arrive on the phone.`
        : `Could not start: ${await problemText(res)}`;
      if (res.ok) await refreshHotEvents();
    } catch {
      $('hot-result').textContent = 'Could not start: the server cannot be reached.';
    } finally {
      $('hot-start').disabled = false;
    }
  }

  connect();
})();
