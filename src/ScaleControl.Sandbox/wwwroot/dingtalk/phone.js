// The sandbox phone: renders one group (picked in the header; the on-call group first) or the selected person's
// one-to-one chat with the robot as a
// DingTalk member sees it, taps card buttons (POST cards/{outTrackId}/tap) and types messages (POST messages) through
// the emulator's script API. Plain JS, no build step; URLs are relative to /sandbox/dingtalk/.
(() => {
  "use strict";

  const state = { info: null, user: null, group: null, chat: "group", busy: false, lastRender: "" };
  const $ = (id) => document.getElementById(id);

  const escapeHtml = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  // Just enough markdown for robot messages: backslash escapes (ScaleControl escapes what people typed), headings,
  // bold, code, links, line breaks. An escaped character becomes an HTML entity, which no later rule matches.
  const markdown = (text) => escapeHtml(text)
    .replace(/\\(&(?:amp|lt|gt|quot|#39);|[!-\/:-@\[-`{-~])/g, (_, c) => (c.length > 1 ? c : `&#${c.charCodeAt(0)};`))
    .replace(/^#{1,6}\s*(.+)$/gm, "<b>$1</b>")
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label, url) => {
      const href = openableUrl(url);
      return href ? `<a href="${href}" target="_blank" rel="noopener">${label}</a>` : whole;
    })
    .replace(/(^|\s)@(\w+)/g, '$1<span class="mention">@$2</span>')
    .replace(/\n/g, "<br>");

  // dingtalk://dingtalkclient/page/link?url=<encoded> opens <url> inside DingTalk; a browser can only follow the inner URL.
  // Only http(s) becomes a link (null otherwise): the text comes from what people typed, and a javascript: link here
  // would run on the sandbox's origin, where the dashboard keeps its token. The url arrives HTML-escaped (markdown escapes first).
  const openableUrl = (url) => {
    let target = String(url || "").replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" }[e]));
    const match = /^dingtalk:\/\/dingtalkclient\/page\/link\?(.*)$/.exec(target);
    if (match) target = new URLSearchParams(match[1]).get("url") || "";
    return /^https?:\/\//i.test(target) ? escapeHtml(target) : null;
  };

  const clock = (iso) => {
    const d = new Date(iso);
    return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  };

  const initials = (name) => (name || "?").trim().charAt(0).toUpperCase();
  const userName = (id) => state.info.users.find((u) => u.userId === id)?.name ?? id;

  async function api(path, options) {
    const response = await fetch(path, options);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || body.message || `HTTP ${response.status}`);
    return body;
  }

  function toast(text) {
    const el = $("toast");
    el.textContent = text;
    el.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => el.classList.remove("show"), 2600);
  }

  function renderUsers() {
    $("users").innerHTML = state.group.members.map((id, i) => `
      <button type="button" class="user-chip" data-user="${escapeHtml(id)}" aria-pressed="${id === state.user}">
        <span class="avatar u${i % 3}">${escapeHtml(initials(id))}</span>${escapeHtml(id)}
      </button>`).join("");
    for (const chip of $("users").querySelectorAll(".user-chip")) {
      chip.addEventListener("click", () => {
        state.user = chip.dataset.user;
        localStorage.setItem("dingtalk-sandbox-user", state.user);
        renderUsers();
        renderChatTitle();
        refresh(true);
      });
    }
  }

  // In a group: the cards delivered into it (for everyone, or for this person among the recipients); in the one-to-one
  // chat: the cards the robot delivered to this person (IM_ROBOT), such as a confirmation asked there.
  const seesCard = (card) => card.spaces.some((s) => s.success && (state.chat === "robot"
    ? s.spaceType === "IM_ROBOT" && s.spaceId === state.user
    : s.spaceType === "IM_GROUP" && s.spaceId === state.group.openConversationId && (s.recipients.length === 0 || s.recipients.includes(state.user))));

  function cardHtml(card) {
    const d = card.cardData;
    const status = (d.status || "pending").toLowerCase();
    const fact = (label, value) => value ? `<div class="fact">${label}<b>${escapeHtml(value)}</b></div>` : "";
    const mine = card.privateData[state.user] || {};
    const privateText = mine.privateMessage ?? Object.entries(mine).map(([k, v]) => `${k}: ${v}`).join(" · ");
    const decided = d.decidedBy ? `<div><span class="decided">${escapeHtml(d.statusText || status)} by ${escapeHtml(d.decidedBy)}</span>${d.decidedAt ? ` at ${escapeHtml(d.decidedAt)}` : ""}</div>` : "";
    return `
      <div class="card ${escapeHtml(status)}" data-out-track-id="${escapeHtml(card.outTrackId)}" data-version="${card.version}">
        <div class="card-head">
          <div class="card-title">${escapeHtml(d.title || card.outTrackId)}</div>
          <span class="card-status">${escapeHtml(d.statusText || status)}</span>
        </div>
        ${d.workload ? `<div class="card-workload">${escapeHtml(d.namespace ? `${d.namespace}/${d.workload}` : d.workload)}</div>` : ""}
        ${d.replicasFrom || d.replicasTo ? `
        <div class="replicas">
          <div><span class="num">${escapeHtml(d.replicasFrom ?? "?")}</span><span class="unit">now</span></div>
          <span class="arrow">➜</span>
          <div><span class="num to">${escapeHtml(d.replicasTo ?? "?")}</span><span class="unit">replicas</span></div>
        </div>` : ""}
        ${d.reason ? `<div class="card-reason">${markdown(d.reason)}</div>` : ""}
        ${d.updated ? `<div class="card-updated">${escapeHtml(d.updated)}</div>` : ""}
        ${d.rows ? `<div class="card-rows">${rowsHtml(d, card.buttons)}</div>` : ""}
        <div class="facts">
          ${fact("Current traffic", d.currentTraffic)}${fact("Predicted", d.predictedTraffic)}
          ${fact("Per-pod target", d.perPodTarget)}${fact("Cost delta", d.costDelta)}${fact("Room", d.room)}
          ${fact("On call", d.onCall)}${fact("Expires", d.expiresAt)}
        </div>
        ${decided || d.result ? `<div class="card-meta">${decided}${d.result ? `<div>${markdown(d.result)}</div>` : ""}</div>` : ""}
        ${privateText ? `<div class="private-note">${escapeHtml(privateText)}</div>` : ""}
        ${card.buttons.some((b) => b.row == null) ? `<div class="card-buttons">${card.buttons.filter((b) => b.row == null).map(buttonHtml).join("")}
        </div>` : ""}
        ${openableUrl(d.detailUrl) ? `<a class="card-link" href="${openableUrl(d.detailUrl)}" target="_blank" rel="noopener">View details ›</a>` : ""}
        ${card.renderWarnings.length ? `<div class="warnings" title="values DingTalk would not render">⚠ ${card.renderWarnings.map(escapeHtml).join("<br>")}</div>` : ""}
      </div>`;
  }

  function buttonHtml(b) {
    return `
          <button type="button" class="${escapeHtml(b.style)}" data-action-id="${escapeHtml(b.actionId)}" data-params="${escapeHtml(JSON.stringify(b.params || {}))}">${escapeHtml(b.text)}</button>`;
  }

  // A group card: one line per row (the rows markdown), with the row's own buttons (the template's loop over rowItems) beside it.
  function rowsHtml(d, buttons) {
    const lines = d.rows.split("\n");
    let items = [];
    try { items = d.rowItems ? JSON.parse(d.rowItems) : []; } catch { items = []; }
    return lines.map((line, i) => {
      const item = items[i];
      const own = buttons.filter((b) => b.row === i);
      return `<div class="card-row"${item ? ` data-row="${escapeHtml(item.key)}" data-workload="${escapeHtml(item.workload)}"` : ""}>
          <div class="card-row-text">${markdown(line)}</div>
          ${own.length ? `<div class="card-row-buttons">${own.map(buttonHtml).join("")}</div>` : ""}
        </div>`;
    }).join("");
  }

  function messageHtml(m) {
    if (m.kind === "Ding") {
      const forMe = m.receivers.includes(state.user);
      const kind = { 1: "In-app", 2: "SMS", 3: "Phone call" }[m.remindType] || "DING";
      return `<div class="ding ${forMe ? "for-me" : ""}" data-ding-id="${escapeHtml(m.id)}">
        <span class="ding-tag">DING</span>${m.recalledAt ? '<span class="recalled">recalled</span>' : escapeHtml(m.text)}
        <span class="ding-to">${kind} DING to ${m.receivers.map((r) => escapeHtml(userName(r))).join(", ")}${forMe ? " · you" : ""}</span></div>`;
    }
    if (m.kind === "UserMessage") {
      return `<div class="bubble" data-message-id="${escapeHtml(m.id)}">${escapeHtml(m.text).replace(/\n/g, "<br>")}</div>`;
    }
    const title = m.title && m.type !== "sampleText" && m.type !== "text" && m.type !== "markdown" ? `<h4>${escapeHtml(m.title)}</h4>` : "";
    const mentions = m.atAll ? " @all" : m.atUserIds.map((u) => ` @${u}`).join("");
    const text = m.recalledAt ? '<span class="recalled">This message was recalled</span>' : markdown(m.text + mentions);
    return `<div class="bubble" data-message-id="${escapeHtml(m.id)}">${title}${text}</div>`;
  }

  function entry(at, sender, avatarClass, tag, inner, mine) {
    return { at, html: `
      <div class="msg${mine ? " mine" : ""}">
        <div class="avatar ${avatarClass}">${escapeHtml(initials(sender))}</div>
        <div class="msg-body"><div class="sender">${escapeHtml(sender)}${tag ? `<span class="tag">${tag}</span>` : ""} · ${clock(at)}</div>${inner}</div>
      </div>` };
  }

  const inGroup = (m) => m.openConversationId === state.group.openConversationId;
  const inMyRobotChat = (m) => m.conversationType === "1" && m.chatUser === state.user;

  function render(cards, messages) {
    const appName = (robotCode) => state.info.apps.find((a) => a.robotCode === robotCode)?.name ?? robotCode;
    const chatEntry = (m) => m.kind === "UserMessage"
      ? entry(m.at, userName(m.sender), "u0", "", messageHtml(m), m.sender === state.user)
      : entry(m.at, appName(m.sender), "robot", "Robot", messageHtml(m));
    const entries = state.chat === "robot" ? [
      ...messages.filter((m) => ((m.kind === "UserMessage" || m.kind === "SessionReply") && inMyRobotChat(m))
        || (m.kind === "OtoMessage" && m.receivers.includes(state.user))).map(chatEntry),
      ...cards.filter(seesCard).map((c) => entry(c.createdAt, appName(c.spaces[0]?.robotCode), "robot", "Robot", cardHtml(c))),
    ].sort((a, b) => new Date(a.at) - new Date(b.at)) : [
      ...messages.filter((m) => (m.kind === "UserMessage" || m.kind === "SessionReply") && inGroup(m)).map(chatEntry),
      ...cards.filter(seesCard).map((c) => entry(c.createdAt, appName(c.spaces[0]?.robotCode), "robot", "Robot", cardHtml(c))),
      ...messages.filter((m) =>
        (m.kind === "GroupMessage" || m.kind === "Webhook") ? inGroup(m)
          : m.kind === "OtoMessage" ? m.receivers.includes(state.user)
          : m.kind === "Ding")
        .map((m) => m.kind === "Webhook"
          ? entry(m.at, "Webhook robot", "webhook", "Custom robot", messageHtml(m))
          : entry(m.at, appName(m.sender), "robot", m.kind === "OtoMessage" ? "to you" : "Robot", messageHtml(m))),
    ].sort((a, b) => new Date(a.at) - new Date(b.at));

    const html = entries.map((e) => e.html).join("");
    if (html === state.lastRender) return;
    state.lastRender = html;
    const timeline = $("timeline");
    const atBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 80;
    timeline.innerHTML = entries.length ? html : $("empty").outerHTML;
    if (atBottom || !render.scrolled) {
      timeline.scrollTop = timeline.scrollHeight;
      render.scrolled = true;
    }
  }

  async function refresh(force) {
    if (force) state.lastRender = "";
    const [cards, messages] = await Promise.all([api("cards"), api("messages")]);
    render(cards, messages);
  }

  async function tap(outTrackId, actionId, button) {
    if (state.busy) return;
    state.busy = true;
    button.disabled = true;
    try {
      const result = await api(`cards/${encodeURIComponent(outTrackId)}/tap`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        // The params as rendered: a tap approves what the user saw, even if the card changed since.
        body: JSON.stringify({ userId: state.user, actionIds: [actionId], params: JSON.parse(button.dataset.params || "{}") }),
      });
      const tapInfo = result.tap;
      const words = { Updated: "Card updated", NoChange: "Sent · no change", Timeout: "No answer within 2 s · card not updated",
        NoConnection: "No Stream connection · tap not delivered", NoCallback: "This card has no callback", CallbackFailed: "Callback failed",
        InvalidResponse: "Callback answer could not be applied" };
      toast(`${words[tapInfo.status] || tapInfo.status}${tapInfo.detail && tapInfo.status !== "Updated" ? ` — ${tapInfo.detail}` : ""}`);
    } catch (error) {
      toast(error.message);
    } finally {
      state.busy = false;
      await refresh(true);
    }
  }

  function renderChatTitle() {
    const robot = state.info.apps[0]?.name ?? "Robot";
    $("group-name").textContent = state.chat === "robot" ? robot : `${state.group.name} (${state.group.members.length})`;
    $("group-sub").textContent = state.chat === "robot" ? `DingTalk sandbox · one-to-one chat as ${state.user}` : "DingTalk sandbox · internal group";
    $("chat-switch").textContent = state.chat === "robot" ? "Group" : "1:1";
    $("group-picker").hidden = state.chat === "robot" || state.info.groups.length < 2;
    $("composer-input").placeholder = state.chat === "robot" ? "help" : `@${robot} help`;
  }

  async function send(event) {
    event.preventDefault();
    const input = $("composer-input");
    const text = input.value.trim();
    if (!text) return;
    $("composer-send").disabled = true;
    try {
      const body = { from: state.user, text };
      if (state.chat === "group") body.conversationId = state.group.openConversationId;
      const push = await api("messages", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      input.value = "";
      const words = { NotMentioned: `Sent · @${state.info.apps[0]?.name} to reach the robot`, NoConnection: "The robot is offline (no Stream connection)",
        NotAcked: "The robot did not ACK · DingTalk will push again" };
      if (words[push.status]) toast(words[push.status]);
    } catch (error) {
      toast(error.message);
    } finally {
      $("composer-send").disabled = false;
      await refresh(true);
    }
  }

  function listen() {
    const live = $("live");
    const source = new EventSource("changes");
    let pending = null;
    source.onopen = () => live.classList.add("on");
    source.onmessage = () => {
      clearTimeout(pending);
      pending = setTimeout(() => refresh().catch(() => {}), 60);
    };
    source.onerror = () => live.classList.remove("on"); // EventSource reconnects by itself
  }

  // Several groups (a team's on-call group, the general one): the picker switches the timeline, the people who may
  // type (the group's members) and where a message goes.
  function renderGroups() {
    $("group-picker").innerHTML = state.info.groups.map((g) => `<option value="${escapeHtml(g.openConversationId)}"${
      g.openConversationId === state.group.openConversationId ? " selected" : ""}>${escapeHtml(g.name)}</option>`).join("");
    $("group-picker").addEventListener("change", (event) => {
      state.group = state.info.groups.find((g) => g.openConversationId === event.target.value) ?? state.group;
      if (!state.group.members.includes(state.user)) state.user = state.group.members[0];
      renderUsers();
      renderChatTitle();
      refresh(true);
    });
  }

  async function start() {
    state.info = await api("info");
    const params = new URLSearchParams(location.search);
    state.group = state.info.groups.find((g) => g.openConversationId === params.get("group")) ?? state.info.groups[0];
    const wanted = params.get("user") || localStorage.getItem("dingtalk-sandbox-user");
    state.user = state.group.members.includes(wanted) ? wanted : state.group.members[0];
    state.chat = params.get("chat") === "robot" ? "robot" : "group";
    renderGroups();
    renderChatTitle();
    renderUsers();
    $("composer-form").addEventListener("submit", send);
    $("chat-switch").addEventListener("click", () => {
      state.chat = state.chat === "robot" ? "group" : "robot";
      renderChatTitle();
      refresh(true);
    });
    $("timeline").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action-id]");
      if (button) tap(button.closest("[data-out-track-id]").dataset.outTrackId, button.dataset.actionId, button);
    });
    const tick = () => { $("clock").textContent = clock(new Date().toISOString()); };
    tick();
    setInterval(tick, 15000);
    await refresh(true);
    listen();
  }

  start().catch((error) => toast(`Cannot load the sandbox: ${error.message}`));
})();
