// The supervisor view (docs/console.md "Supervisor view"): the live queue per team, tier and
// priority, the agents with presence and load, the conversations at SLA risk and today's KPIs.
// The queue and the agents start from the stream's snapshot (the GET /queue and GET /agents
// shapes) and follow its events, so the figures change without a reload; the KPIs are asked of
// GET /kpis for today in the browser's time zone.
import { api } from "./api.js";
import { language, t } from "./i18n.js";
import { channelLabel } from "./labels.js";
import { formatDuration } from "./sla.js";

const $ = (id) => document.getElementById(id);
const KPI_REFRESH_MS = 60 * 1000;
const AT_RISK = ["warning", "breached"];

const state = {
  waiting: new Map(),    // conversation id → queue entry (GET /queue "queued[]" shape)
  agents: new Map(),     // agent id → GET /agents entry
  atRisk: new Map(),     // conversation id → {id, channelKind, priority, tier, team, slaState, dueAt}
  kpis: null,
  agentsTimer: null,
  kpiTimer: null,
};

function presenceLabel(presence) {
  switch (presence) {
    case "online": return t("presence.online");
    case "busy": return t("presence.busy");
    case "away": return t("presence.away");
    case "offline": return t("presence.offline");
    case "wrap_up": return t("supervisor.wrap_up");
    default: return presence ?? "";
  }
}

function slaStateLabel(slaState) {
  switch (slaState) {
    case "warning": return t("supervisor.sla_warning");
    case "breached": return t("supervisor.sla_breached");
    default: return slaState;
  }
}

function teamLabel(team) {
  return team === null || team === undefined ? t("supervisor.any_team") : team;
}

function cell(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  if (tag === "th") el.scope = "row";
  return el;
}

function percent(value) {
  if (value === null) return t("supervisor.none");
  return new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 1 }).format(value);
}

// ---- the live queue

// count, breached, warning and the oldest arrival of a group of waiting conversations — the
// figures of GET /queue "aggregates", kept here from the entries the stream sends.
function aggregate(entries) {
  const group = { count: 0, breached: 0, warning: 0, oldestQueuedAt: null };
  for (const e of entries) {
    group.count += 1;
    if (e.sla_state === "breached") group.breached += 1;
    if (e.sla_state === "warning") group.warning += 1;
    if (group.oldestQueuedAt === null || e.queued_at < group.oldestQueuedAt) group.oldestQueuedAt = e.queued_at;
  }
  return group;
}

function groupBy(entries, keyOf) {
  const groups = new Map();
  for (const e of entries) {
    const key = keyOf(e);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(e);
  }
  return [...groups].sort(([a], [b]) => String(a ?? "").localeCompare(String(b ?? ""), undefined, { numeric: true }))
    .map(([key, members]) => [key, aggregate(members)]);
}

function oldestText(group, now) {
  return group.oldestQueuedAt === null ? t("supervisor.none") : formatDuration(Math.max(0, now - group.oldestQueuedAt));
}

function renderGroups(tbody, groups, label, dimension, now) {
  tbody.replaceChildren(...groups.map(([key, g]) => {
    const tr = document.createElement("tr");
    tr.dataset[dimension] = key === null ? "" : String(key);
    tr.append(cell("th", label(key)), cell("td", String(g.count), "count"),
      cell("td", String(g.warning), g.warning ? "sla-warning" : ""),
      cell("td", String(g.breached), g.breached ? "sla-breached" : ""),
      cell("td", oldestText(g, now), "oldest"));
    return tr;
  }));
}

function renderQueue() {
  const now = Date.now();
  const entries = [...state.waiting.values()];
  const total = aggregate(entries);
  $("supervisor-queue-count").textContent = String(total.count);
  $("supervisor-queue-warning").textContent = String(total.warning);
  $("supervisor-queue-breached").textContent = String(total.breached);
  $("supervisor-queue-oldest").textContent = oldestText(total, now);
  renderGroups($("supervisor-by-team"), groupBy(entries, (e) => e.team ?? null), teamLabel, "team", now);
  renderGroups($("supervisor-by-tier"), groupBy(entries, (e) => e.tier), (k) => t("queue.tier", { tier: k }), "tier", now);
  renderGroups($("supervisor-by-priority"), groupBy(entries, (e) => e.priority),
    (k) => t("queue.priority", { priority: k }), "priority", now);
  $("supervisor-queue-empty").hidden = total.count > 0;
}

// ---- agents

function renderAgents() {
  const agents = [...state.agents.values()].sort((a, b) => (a.team ?? "").localeCompare(b.team ?? "") || a.id.localeCompare(b.id));
  $("supervisor-agents").replaceChildren(...agents.map((a) => {
    const tr = document.createElement("tr");
    tr.dataset.agent = a.id;
    const load = Object.entries(a.load || {}).map(([kind, n]) => `${channelLabel(kind)} ${n}`).join(", ");
    tr.append(cell("th", a.display_name || a.id), cell("td", teamLabel(a.team)),
      cell("td", presenceLabel(a.routing_presence === "wrap_up" ? "wrap_up" : a.presence), `presence presence-${a.presence}`),
      cell("td", String(a.total_load ?? 0), "load"), cell("td", load));
    return tr;
  }));
}

async function reloadAgents() {
  const { agents } = await api("GET", "/agents");
  state.agents = new Map(agents.map((a) => [a.id, a]));
  renderAgents();
}

// Loads change with every assignment and resolution, which the stream announces without the
// new load: ask GET /agents once the burst is over.
function reloadAgentsSoon() {
  if (state.agentsTimer) return;
  state.agentsTimer = setTimeout(() => {
    state.agentsTimer = null;
    reloadAgents();
  }, 300);
}

// ---- SLA at risk

function riskFromEntry(entry) {
  return {
    id: entry.conversation_id, channelKind: entry.channel_kind, priority: entry.priority, tier: entry.tier,
    team: entry.team ?? null, slaState: entry.sla_state, dueAt: entry.first_response_due,
  };
}

function renderRisk() {
  const now = Date.now();
  const rows = [...state.atRisk.values()].sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity));
  $("supervisor-risk").replaceChildren(...rows.map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.conversationId = String(r.id);
    tr.className = `sla-${r.slaState}`;
    const left = r.dueAt === null || r.dueAt === undefined ? t("supervisor.none")
      : r.dueAt >= now ? t("sla.left", { time: formatDuration(r.dueAt - now) })
        : t("sla.overdue", { time: formatDuration(now - r.dueAt) });
    tr.append(cell("th", t("supervisor.conversation", { id: r.id })), cell("td", channelLabel(r.channelKind)),
      cell("td", t("queue.priority", { priority: r.priority })), cell("td", t("queue.tier", { tier: r.tier })),
      cell("td", teamLabel(r.team)), cell("td", slaStateLabel(r.slaState)), cell("td", left, "sla"));
    return tr;
  }));
  $("supervisor-risk-empty").hidden = rows.length > 0;
}

// ---- today's KPIs

function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

// GET /kpis answers per channel instance; the day's figures are their sums (averages weighted
// by what each averages over).
function totals(byChannel) {
  const sum = (key) => byChannel.reduce((s, c) => s + c[key], 0);
  const contacts = sum("contacts");
  const answered = sum("answered");
  const within = sum("answered_within_sla");
  const responseTotal = byChannel.reduce((s, c) => s + (c.avg_first_response_ms ?? 0) * c.answered, 0);
  return {
    contacts, answered, abandoned: sum("abandoned"), resolved: sum("resolved"),
    serviceLevel: contacts ? within / contacts : null,
    avgFirstResponseMs: answered ? responseTotal / answered : null,
  };
}

function renderKpis() {
  if (!state.kpis) return;
  const k = state.kpis;
  $("kpi-contacts").textContent = String(k.contacts);
  $("kpi-answered").textContent = String(k.answered);
  $("kpi-service-level").textContent = percent(k.serviceLevel);
  $("kpi-first-response").textContent = k.avgFirstResponseMs === null ? t("supervisor.none") : formatDuration(k.avgFirstResponseMs);
  $("kpi-abandon-rate").textContent = percent(k.contacts ? k.abandoned / k.contacts : null);
  $("kpi-resolution-rate").textContent = percent(k.contacts ? k.resolved / k.contacts : null);
}

async function reloadKpis() {
  const report = await api("GET", `/kpis?from=${startOfToday()}&to=${Date.now() + 1}`);
  state.kpis = totals(report.by_channel);
  renderKpis();
}

// ---- the stream

function applySnapshot(message) {
  state.waiting = new Map(message.queue.queued.map((e) => [e.conversation_id, e]));
  state.agents = new Map((message.agents || []).map((a) => [a.id, a]));
  state.atRisk = new Map(message.queue.queued.filter((e) => AT_RISK.includes(e.sla_state))
    .map((e) => [e.conversation_id, riskFromEntry(e)]));
}

function applyConversationEvent(message) {
  const id = message.conversation_id;
  if (message.waiting) state.waiting.set(id, message.waiting);
  else state.waiting.delete(id);
  if (message.state === "resolved") {
    state.atRisk.delete(id);
  } else if (message.waiting && AT_RISK.includes(message.waiting.sla_state)) {
    state.atRisk.set(id, riskFromEntry(message.waiting));
  } else if (message.type.startsWith("sla.") && /_(warning|breach)$/.test(message.type)) {
    // An assigned conversation's timer: no queue entry, but the event names the deadline.
    state.atRisk.set(id, {
      id, channelKind: message.channel_kind, priority: message.priority, tier: message.tier,
      team: message.team ?? null, slaState: message.type.endsWith("_warning") ? "warning" : "breached",
      dueAt: message.due_at,
    });
  } else if (message.waiting) {
    state.atRisk.delete(id);
  }
  // A transfer to a team names no agent but frees the one who held it.
  if (message.agent || message.type.startsWith("conversation.")) reloadAgentsSoon();
}

let active = false;

function render() {
  if (!active) return;
  renderQueue();
  renderAgents();
  renderRisk();
  renderKpis();
}

// The console's stream hands every message here (app.js); only supervisors and admins get all
// events, so the view is only offered to them.
export function supervisorStreamMessage(message) {
  if (message.type === "snapshot") {
    applySnapshot(message);
  } else if (message.type === "agent.presence") {
    const agent = state.agents.get(message.agent);
    if (agent) Object.assign(agent, { presence: message.presence, load: message.load });
    reloadAgentsSoon();
  } else if (message.conversation_id !== undefined && message.type !== "customer.signal") {
    applyConversationEvent(message);
    if (message.type === "conversation.queued" || message.type === "conversation.resolved") reloadKpisSoon();
  }
  render();
}

function reloadKpisSoon() {
  if (!active) return;
  clearTimeout(state.kpiTimer);
  state.kpiTimer = setTimeout(scheduleKpis, 500);
}

function scheduleKpis() {
  clearTimeout(state.kpiTimer);
  reloadKpis().finally(() => {
    if (active) state.kpiTimer = setTimeout(scheduleKpis, KPI_REFRESH_MS);
  });
}

// Shows or hides the view (the topbar's toggle button); the waits and time left tick each second.
export function showSupervisorView(show) {
  active = show;
  document.body.classList.toggle("supervisor-open", show);
  $("supervisor-view").hidden = !show;
  $("supervisor-tab").setAttribute("aria-pressed", String(show));
  if (show) {
    render();
    scheduleKpis();
  } else {
    clearTimeout(state.kpiTimer);
  }
}

export function supervisorViewTick() {
  if (!active) return;
  renderQueue();
  renderRisk();
}

// After a language change: the rows carry translated words.
export function rerenderSupervisorView() {
  render();
}
