// The page for one proposal (/proposals/NS/NAME, the DingTalk card's "View details"): reads
// GET /api/v1/proposals/NS/NAME and says what an on-call SRE needs on a phone, open or long finished, in the words of
// the card and `scalectl describe proposal`. It only shows: deciding stays with the card and scalectl, which check
// the approver roster. Everything from the server goes in as text (textContent), never as markup.
(() => {
  'use strict';
  const { TOKEN_KEY, h, api, problemText, tokenCandidates, fmt } = window.ScaleControl;
  // An open proposal changes by the second (approvals, amendments, expiry); a finished one only when its Undo is
  // taken or withdrawn.
  const OPEN_POLL_MS = 3000;
  const FINISHED_POLL_MS = 30000;
  const OPEN_PHASES = ['Pending', 'Approved', 'Applying'];
  const SYSTEM_USER = 'scalecontrol';
  const $ = id => document.getElementById(id);
  const state = { token: null, fromUser: false, timer: null, lastAnswer: null };

  const id = fromLocation();

  // "/proposals/shop/checkout-api-20261205-220717-555f" → { ns, name, path } (null for any other address).
  function fromLocation() {
    const parts = location.pathname.split('/');
    if (parts.length !== 4 || parts[1] !== 'proposals') return null;
    try {
      const ns = decodeURIComponent(parts[2]), name = decodeURIComponent(parts[3]);
      return ns && name ? { ns, name, text: `${ns}/${name}`, path: `/api/v1/proposals/${encodeURIComponent(ns)}/${encodeURIComponent(name)}` } : null;
    } catch { return null; }
  }

  // ---- words and times ---------------------------------------------------------------------------------------
  const isToday = d => d.toDateString() === new Date().toDateString();
  const pad = n => String(n).padStart(2, '0');
  // In this phone's time zone: "22:07:17" today, "2026-12-04 22:07" before.
  const time = t => {
    if (!t) return '';
    const d = new Date(t);
    const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return isToday(d) ? `${clock}:${pad(d.getSeconds())}` : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock}`;
  };
  const span = seconds => {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m`;
    if (s < 86400) return `${Math.floor(s / 3600)}h${s % 3600 >= 60 ? `${Math.floor(s % 3600 / 60)}m` : ''}`;
    return `${Math.floor(s / 86400)}d`;
  };
  const ago = t => `${span((Date.now() - new Date(t).getTime()) / 1000)} ago`;
  const until = t => {
    const s = (new Date(t).getTime() - Date.now()) / 1000;
    return s <= 0 ? 'due now' : `${span(s)} left`;
  };
  const zone = () => {
    const minutes = -new Date().getTimezoneOffset();
    return minutes === 0 ? 'UTC' : `UTC${minutes > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
  };
  const who = user => (user === SYSTEM_USER ? 'ScaleControl' : user);
  // The person on a record as the server names it: "lisi (unverified: …)" when ScaleControl did not record it (its
  // check, from the response's verification), in the history's words; this page checks no seal itself.
  const named = (user, check) => (check && check.unverified && check.label ? check.label : who(user));
  const pageOf = (ns, name) => `/proposals/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
  const actionOf = p => (p.metadata.labels || {})['scalecontrol.io/action'] || 'approval';

  // As the card counts them: the two-person rule needs two even when the policy asks for one.
  const required = spec => (spec.requiresTwoPersons ? Math.max(2, spec.requiredApprovals || 0) : Math.max(1, spec.requiredApprovals || 0));

  // The phase in plain words (the card's status line and result).
  function phaseLine(p) {
    const { spec, status } = p;
    const approvals = status.approvals || [];
    const checks = (p.verification || {}).approvals || [];
    switch (status.phase) {
      case 'Pending': {
        const part = status.appliedReplicas != null
          ? ` Applied → ${status.appliedReplicas}${status.appliedAt ? ` at ${time(status.appliedAt)}` : ''}; ${spec.fromReplicas} → ${spec.toReplicas} awaits approval.`
          : '';
        // Some approvals no longer count, or more are asked than when proposed: how many count, and why (the record's message).
        const tally = status.approvalTally;
        const count = tally ? `${tally.counted}/${tally.required} count: ${status.message}` : `${approvals.length}/${required(spec)}`;
        return `Waiting for approval (${count}), expires ${time(spec.expiresAt)} (${until(spec.expiresAt)}).${part}`;
      }
      case 'Approved':
      case 'Applying': {
        const last = approvals[approvals.length - 1];
        return `Approved, scaling ${spec.fromReplicas} → ${last && last.replicas > 0 ? last.replicas : spec.toReplicas}${approvedBy(approvals, checks)}.`;
      }
      case 'Applied': {
        const how = actionOf(p) === 'auto' ? 'Applied automatically' : 'Applied';
        const by = actionOf(p) === 'auto' ? '' : approvedBy(approvals, checks);
        const undo = status.undo ? `; undone by ${status.undo.by} at ${time(status.undo.at)}: back to ${status.undo.replicas}` : '';
        const withdrawn = status.undoWithdrawn ? `. Undo no longer offered: ${status.undoWithdrawn.message}` : '';
        return `${how} ${spec.fromReplicas} → ${status.appliedReplicas ?? spec.toReplicas}${status.appliedAt ? ` at ${time(status.appliedAt)}` : ''}${by}${undo}${withdrawn}.`;
      }
      case 'Rejected': {
        const r = status.rejection || {};
        return `Rejected${r.user ? ` by ${named(r.user, (p.verification || {}).rejection)}` : ''}${r.reason ? `: ${r.reason}` : ''}; no change.`;
      }
      case 'Expired':
        return 'Expired: nobody decided in time; no change.';
      case 'Superseded': {
        const s = status.supersession;
        if (s && s.action === 'pin') return `Superseded by a pin to ${s.toReplicas}${s.by && s.by !== SYSTEM_USER ? ` by ${s.by}` : ''}.`;
        return `Superseded by ${status.supersededBy ? `a newer proposal, ${status.supersededBy}` : 'a newer proposal'}; no change.`;
      }
      case 'Failed':
        return `Failed: ${status.message || 'unknown reason'}.`;
      default:
        return status.phase || '';
    }
  }

  // ", approved by zhangsan via DingTalk, lisi (unverified: …) via Cli" (or "" when nobody approved); checks[i] is approvals[i]'s.
  const approvedBy = (approvals, checks) => (approvals.length
    ? `, approved by ${approvals.map((a, i) => `${named(a.user, (checks || [])[i])} via ${a.channel}`).join(', ')}` : '');

  // What kind of change this is, and what it is tied to.
  function actionText(p) {
    const annotations = p.metadata.annotations || {};
    switch (actionOf(p)) {
      case 'auto': return 'automatic (within the policy\'s automatic step: no approval needed)';
      case 'pin': {
        const seconds = Number(annotations['scalecontrol.io/pin-duration-seconds']);
        return `a pin${seconds > 0 ? ` for ${span(seconds)}` : ''}${annotations['scalecontrol.io/pin-reason'] ? `: ${annotations['scalecontrol.io/pin-reason']}` : ''}`;
      }
      case 'undo': return annotations['scalecontrol.io/undo-of']
        ? ['an undo of ', link(p.metadata.namespace, annotations['scalecontrol.io/undo-of'])]
        : 'an undo';
      default: return annotations['scalecontrol.io/return-of']
        ? ['a return to normal after the hot event of ', link(p.metadata.namespace, annotations['scalecontrol.io/return-of'])]
        : 'a decision of the control loop, for approval';
    }
  }

  const link = (ns, name) => h('a', { href: pageOf(ns, name), text: name });

  function costFacts(spec, status) {
    // After Approve half the spec's estimate is still the whole ask: what was applied first, the ask labelled.
    if (status.appliedCapacity && status.appliedCapacity.changeText) {
      return [
        fact('Cost', `${status.appliedCapacity.changeText} (applied ${spec.fromReplicas} → ${status.appliedReplicas})`),
        fact('Cost Asked', `${spec.capacity ? spec.capacity.changeText : ''} (${spec.fromReplicas} → ${spec.toReplicas}, not all applied)`),
      ];
    }
    return [
      fact('Cost', spec.capacity ? spec.capacity.changeText : `${spec.toReplicas - spec.fromReplicas >= 0 ? '+' : ''}${spec.toReplicas - spec.fromReplicas} pods`),
      fact('Room', spec.capacity && spec.capacity.roomText ? spec.capacity.roomText.replace('room: ', '') : null),
    ];
  }

  function escalationFacts(p) {
    const { spec, status } = p;
    const sent = (status.escalations || []).map(e => fact('Escalated', e.via === 'group-mention'
      ? `${time(e.at)}: @-mentioned ${e.receivers.join(', ')} in the group (DING not sent${e.message ? `: ${e.message}` : ''})`
      : `${time(e.at)}: DING (${e.dingType}) to ${e.receivers.join(', ')}`));
    if (sent.length === 0 && status.phase === 'Pending' && spec.escalateAt) {
      sent.push(fact('Escalation', `DING to the on-call people at ${time(spec.escalateAt)} (${until(spec.escalateAt)}) if nobody decides`));
    }
    return sent;
  }

  function cardText(card) {
    if (!card) return null;
    if (card.error) return `not delivered: ${card.error}`;
    return card.sentAt ? `sent to the on-call group at ${time(card.sentAt)}` : 'being sent';
  }

  function metricText(m) {
    const trend = typeof m.slopePerSecond === 'number' && Math.abs(m.slopePerSecond) > 0
      ? `, ${m.slopePerSecond > 0 ? 'rising' : 'falling'} ${fmt(Math.abs(m.slopePerSecond))}/s` : '';
    return `${fmt(m.value)} now${trend}${typeof m.predicted === 'number' ? `, ${fmt(m.predicted)} predicted` : ''}, target ${fmt(m.target)}/replica`
      + (m.recommendation != null ? ` → ${m.recommendation}` : '') + (m.problem ? ` (${m.problem})` : '');
  }

  // ---- rendering ----------------------------------------------------------------------------------------------
  // One row of a definition list; nothing for an empty value, so every row shown says something.
  function fact(label, value) {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return null;
    return h('div', { class: 'fact', 'data-fact': label }, h('dt', { text: label }), h('dd', {}, value));
  }

  // Replaces an element's children only when they differ, so a command being selected survives the next poll.
  function show(el, ...children) {
    const next = el.cloneNode(false);
    next.append(...children.flat().filter(c => c !== null && c !== undefined));
    if (!el.isEqualNode(next)) el.replaceChildren(...next.childNodes);
  }

  function render(p) {
    const meta = p.metadata || {}, spec = p.spec || {}, status = p.status || {}, verification = p.verification || {};
    p = { metadata: meta, spec, status, verification };
    const target = spec.target || {};
    const workload = `${meta.namespace}/${target.name || spec.policyName}`;
    const approvals = status.approvals || [];
    const open = OPEN_PHASES.includes(status.phase);
    document.title = `${workload} ${spec.fromReplicas} → ${spec.toReplicas} · ${status.phase} · ScaleControl`;

    $('loading').hidden = true;
    $('missing').hidden = true;
    $('signin').hidden = true;
    $('proposal').hidden = false;
    show($('workload'), h('span', { class: 'kind-name', text: target.kind || 'Deployment' }), ' ', workload);
    $('phase').textContent = status.phase || '';
    $('phase').dataset.phase = status.phase || '';
    const applied = status.appliedReplicas != null && status.appliedReplicas !== spec.toReplicas ? status.appliedReplicas : null;
    show($('step'),
      h('span', { class: 'numbers' }, String(spec.fromReplicas), h('span', { class: 'arrow', text: '→' }), String(spec.toReplicas)),
      h('span', { class: 'unit', text: ' replicas' }),
      spec.alternativeReplicas != null && open ? h('span', { class: 'alt', text: `or ${spec.alternativeReplicas} (Approve half)` }) : null,
      applied !== null && status.phase === 'Applied' ? h('span', { class: 'alt', text: `${applied} applied` }) : null);
    show($('phase-line'), phaseLine(p));
    show($('reason'), spec.reason || '');

    $('act').hidden = status.phase !== 'Pending';
    const cli = `${meta.namespace}/${meta.name}`;
    show($('act-commands'),
      command(`scalectl approve ${cli}`),
      spec.alternativeReplicas != null ? command(`scalectl approve ${cli} --replicas ${spec.alternativeReplicas}`) : null,
      command(`scalectl reject ${cli} --reason "…"`));

    show($('facts'),
      fact('Target', `${target.kind || 'Deployment'}/${target.name || ''}`),
      fact('Policy', spec.policyName),
      fact('Name', meta.name),
      fact('Action', actionText(p)),
      fact('Replicas', spec.alternativeReplicas != null ? `${spec.fromReplicas} → ${spec.toReplicas} (or ${spec.alternativeReplicas})` : `${spec.fromReplicas} → ${spec.toReplicas}`),
      fact('Requested By', spec.requestedBy === SYSTEM_USER ? 'ScaleControl (the control loop)' : spec.requestedBy),
      fact('Created', meta.creationTimestamp ? `${time(meta.creationTimestamp)} (${ago(meta.creationTimestamp)})` : null),
      fact('Expires', status.phase === 'Pending' && spec.expiresAt ? `${time(spec.expiresAt)} (${until(spec.expiresAt)})` : null),
      status.phase === 'Expired' ? fact('Expired', time(spec.expiresAt)) : null,
      escalationFacts(p),
      fact('Approvers', (spec.approvers || []).join(', ')),
      fact('Approvals', `${approvals.length}/${required(spec)}${approvals.length ? ` ${approvals.map(a => a.user).join(', ')}` : ''}${spec.requiresTwoPersons ? ' (two-person rule)' : ''}`),
      (status.appliedSteps || []).map((s, i) => fact('Applied Step', `${s.from} → ${s.to} at ${time(s.at)}${approvedBy(s.approvals || [], (verification.appliedSteps || [])[i])}`)),
      approvals.map((a, i) => fact('Approved', `by ${named(a.user, (verification.approvals || [])[i])} via ${a.channel} at ${time(a.at)} (${a.replicas} replicas)`)),
      status.rejection ? fact('Rejected', `by ${named(status.rejection.user, verification.rejection)} via ${status.rejection.channel} at ${time(status.rejection.at)}${status.rejection.reason ? `: ${status.rejection.reason}` : ''}`) : null,
      status.appliedReplicas != null ? fact('Applied', `${status.appliedReplicas} replicas${status.appliedAt ? ` at ${time(status.appliedAt)}` : ''}`) : null,
      costFacts(spec, status),
      spec.preEventReplicas != null && spec.toReplicas > spec.fromReplicas ? fact('Pre-Event Replicas', `${spec.preEventReplicas} (a return to normal goes back to this)`) : null,
      (status.amendments || []).map(a => fact('Updated', `${time(a.at)}: ${a.fromTarget} → ${a.toTarget}${a.reason ? ` (${a.reason})` : ''}`)),
      status.supersededBy ? fact('Superseded By', link(meta.namespace, status.supersededBy)) : null,
      status.undo ? fact('Undo', [`undone by ${status.undo.by} via ${status.undo.channel} at ${time(status.undo.at)}: back to ${status.undo.replicas} (`, link(meta.namespace, status.undo.proposal), ')']) : null,
      !status.undo && status.undoWithdrawn ? fact('Undo', `no longer offered: ${status.undoWithdrawn.message}`) : null,
      fact('Message', status.message),
      fact('Card', cardText(status.card)));

    const evidence = spec.evidence;
    $('evidence-panel').hidden = !evidence;
    if (evidence) {
      show($('evidence'),
        fact('Ready / Current', `${evidence.readyReplicas} / ${evidence.currentReplicas}`),
        fact('Bound By', evidence.boundBy),
        (evidence.metrics || []).map(m => fact(m.name, metricText(m))));
    }

    const history = status.history || [];
    show($('history'), history.length === 0 ? h('li', { class: 'empty', text: 'No history recorded.' }) : history.map(e =>
      h('li', { 'data-phase': e.to },
        h('time', { datetime: e.at, title: new Date(e.at).toString(), text: time(e.at) }),
        h('span', { class: `kind ${e.to}`, text: e.from ? `${e.from} → ${e.to}` : `created ${e.to}` }),
        h('span', { class: 'what', text: `by ${who(e.by)}${e.message ? `: ${e.message}` : ''}` }))));
    show($('describe-command'), `scalectl describe proposal ${cli}`);
    show($('zone'), `Times in ${zone()}.`);
  }

  function command(text) {
    return h('li', {}, h('code', { text }));
  }

  function showMissing() {
    $('loading').hidden = true;
    $('proposal').hidden = true;
    $('signin').hidden = true;
    $('missing').hidden = false;
    document.title = 'Proposal not found · ScaleControl';
    $('missing-text').textContent = `There is no proposal ${id.text}: it may have been pruned by retention after it finished, or the link is mistyped.`;
    $('missing-command').textContent = `scalectl get proposals -n ${id.ns}`;
  }

  // ---- loading ------------------------------------------------------------------------------------------------
  // With the token in use, or else each candidate (kept, then sandbox); null when none is accepted.
  async function fetchProposal() {
    const candidates = state.token ? [[state.token, state.fromUser]] : tokenCandidates();
    for (const [token, fromUser] of candidates) {
      const res = await api(id.path, token);
      if (res.status !== 401 && res.status !== 403) {
        state.token = token;
        state.fromUser = fromUser;
        return res;
      }
      if (res.status === 401 && fromUser) localStorage.removeItem(TOKEN_KEY);
    }
    state.token = null;
    return null;
  }

  async function load() {
    clearTimeout(state.timer);
    let res;
    try {
      res = await fetchProposal();
    } catch {
      setLive('down', 'server unreachable, retrying');
      showBanner(state.lastAnswer
        ? `Cannot reach ScaleControl since ${time(state.lastAnswer)}: what you see is from then. Retrying…`
        : 'Cannot reach ScaleControl. Retrying…');
      return schedule(OPEN_POLL_MS);
    }
    if (res === null) return askForToken('');
    await answer(res);
  }

  async function answer(res) {
    if (res.ok) {
      const p = await res.json();
      state.lastAnswer = new Date();
      showBanner('');
      render(p);
      setLive('live', `updated ${time(state.lastAnswer)}`);
      return schedule(OPEN_PHASES.includes(p.status && p.status.phase) ? OPEN_POLL_MS : FINISHED_POLL_MS);
    }
    if (res.status === 404) {
      setLive('down', 'not found');
      showBanner('');
      return showMissing();
    }
    setLive('down', `HTTP ${res.status}`);
    $('loading').hidden = true;
    showBanner(`Could not load proposal ${id.text}: ${await problemText(res)} (HTTP ${res.status}).`);
    return schedule(FINISHED_POLL_MS);
  }

  function schedule(ms) {
    clearTimeout(state.timer);
    state.timer = setTimeout(load, ms);
  }

  function askForToken(message) {
    clearTimeout(state.timer);
    setLive('down', 'signed out');
    $('loading').hidden = true;
    $('proposal').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = message;
  }

  $('signin').addEventListener('submit', async e => {
    e.preventDefault();
    const token = $('signin-token').value.trim();
    const res = await api(id.path, token).catch(() => null);
    if (!res) { $('signin-error').textContent = 'The server cannot be reached.'; return; }
    if (res.status === 401 || res.status === 403) {
      $('signin-error').textContent = res.status === 401 ? 'This token is not accepted.' : await problemText(res);
      return;
    }
    localStorage.setItem(TOKEN_KEY, token);
    state.token = token;
    state.fromUser = true;
    $('signin').hidden = true;
    await answer(res);
  });

  function setLive(kind, text) {
    $('live').dataset.state = kind;
    $('live-text').textContent = text;
  }

  function showBanner(text) {
    $('banner').textContent = text;
    $('banner').hidden = !text;
  }

  if (!id) {
    $('loading').hidden = true;
    showBanner('This is not the address of a proposal: it is /proposals/NAMESPACE/NAME.');
    return;
  }
  load();
})();
