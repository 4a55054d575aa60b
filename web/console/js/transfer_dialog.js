// The Transfer dialog (docs/console.md "Transfer"): hand the open conversation to another agent
// or to a team (POST /conversations/{id}/transfer). The lists come from GET /agents and
// GET /teams, which only supervisors and admins may read: for anyone else the dialog says so
// instead of offering empty lists.
import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function presenceLabel(presence) {
  switch (presence) {
    case "online": return t("presence.online");
    case "busy": return t("presence.busy");
    case "away": return t("presence.away");
    case "offline": return t("presence.offline");
    default: return presence;
  }
}

function agentOption(agent) {
  const text = t("transfer.agent_option", {
    name: agent.display_name || agent.id, presence: presenceLabel(agent.presence), load: agent.total_load ?? 0,
  });
  return new Option(text, agent.id);
}

function teamOption(team) {
  return new Option(team.name, team.name);
}

// The two selects each start with "nobody": choosing in one clears the other, so exactly one
// target is sent, as the API wants.
function fill(select, noneText, options) {
  select.replaceChildren(new Option(noneText, ""), ...options);
}

async function loadTargets(selfAgentId) {
  try {
    const [{ agents }, { teams }] = await Promise.all([api("GET", "/agents"), api("GET", "/teams")]);
    fill($("transfer-agent"), t("transfer.no_agent"), agents.filter((a) => a.id !== selfAgentId).map(agentOption));
    fill($("transfer-team"), t("transfer.no_team"), teams.map(teamOption));
    return true;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
    $("transfer-error").textContent = t("transfer.lists_forbidden");
    return false;
  }
}

// getTarget() → {id, agentId} of the open conversation (id null when none);
// onTransferred(id) runs after the gateway accepted the transfer.
export function setupTransferDialog({ getTarget, onTransferred }) {
  const dialog = $("transfer-dialog");
  const agent = $("transfer-agent");
  const team = $("transfer-team");
  const confirm = $("transfer-confirm");
  let conversationId = null;

  const updateConfirm = () => { confirm.disabled = !agent.value && !team.value; };
  agent.addEventListener("change", () => { if (agent.value) team.value = ""; updateConfirm(); });
  team.addEventListener("change", () => { if (team.value) agent.value = ""; updateConfirm(); });
  $("transfer-cancel").addEventListener("click", () => dialog.close());

  $("transfer-button").addEventListener("click", async () => {
    const target = getTarget();
    if (target.id === null) return;
    conversationId = target.id;
    $("transfer-error").textContent = "";
    fill(agent, t("transfer.no_agent"), []);
    fill(team, t("transfer.no_team"), []);
    updateConfirm();
    dialog.showModal();
    const loaded = await loadTargets(target.agentId);
    agent.disabled = team.disabled = !loaded;
    updateConfirm();
    if (loaded) agent.focus();
  });

  $("transfer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = agent.value ? { agent_id: agent.value } : { team: team.value };
    confirm.disabled = true;
    $("transfer-error").textContent = "";
    try {
      await api("POST", `/conversations/${conversationId}/transfer`, body);
      dialog.close();
      await onTransferred(conversationId);
    } catch (error) {
      // 409: the routing engine refused (the target is away, full, in wrap-up): its words say why.
      $("transfer-error").textContent = t("transfer.failed", { reason: error.message });
      updateConfirm();
    }
  });
}
