// The Governance page: network proposals and votes, delegation, the rules in force and their history.
"use strict";

(function () {
  const T = window.Tonomy;
  const S = window.TonomySigner;
  const V = window.TonomyVoting;
  const el = T.el;
  const $ = (id) => document.getElementById(id);
  const LABELS = {
    deposit: "Deposit to make a proposal", voting_delay: "Wait before voting opens", voting_period: "Voting length",
    quorum_bps: "Turnout needed", approval_bps: "Approval needed", veto_bps: "Veto threshold", timelock: "Wait before an approved change runs",
    grace: "Time an approved change may still run", strategy: "How votes are weighed",
  };
  const DURATIONS = new Set(["voting_delay", "voting_period", "timelock", "grace"]);
  const SHARES = new Set(["quorum_bps", "approval_bps", "veto_bps"]);
  let picker = null;

  function busy(id, text) {
    S.busy($(id), text);
  }

  function act(statusId, actions, okText) {
    return S.act($(statusId), picker.value(), actions, okText);
  }

  const DEPOSIT_DECIMALS = 6;

  // A governance rule's value in people's units: durations, percentages, token amounts.
  async function valueText(name, value) {
    if (DURATIONS.has(name)) return "about " + V.durationText(Number(value) * (await V.blockMs()));
    if (SHARES.has(name)) return Number(value) / 100 + "%";
    if (name === "deposit") return T.formatAmount(value, DEPOSIT_DECIMALS) + " TONO";
    return String(value);
  }

  // What a person types for a rule, in the chain's units (blocks, basis points, base units).
  async function chainValue(name, text) {
    const t = text.trim();
    if (DURATIONS.has(name)) {
      if (!/^\d+(\.\d+)?$/.test(t)) throw new Error("enter a number of seconds");
      return V.toBlocks(Number(t));
    }
    if (SHARES.has(name)) {
      if (!/^\d+(\.\d{1,2})?$/.test(t) || Number(t) > 100) throw new Error("enter a percentage from 0 to 100");
      return Math.round(Number(t) * 100);
    }
    if (name === "deposit") {
      const amount = T.parseAmount(t, DEPOSIT_DECIMALS);
      if (amount === null) throw new Error("enter an amount of TONO");
      return Number(amount);
    }
    if (/^-?\d+$/.test(t)) return Number(t);
    if (t === "true" || t === "false") return t === "true";
    return t;
  }

  function unitHint(name) {
    if (DURATIONS.has(name)) return "New value (seconds)";
    if (SHARES.has(name)) return "New value (%)";
    if (name === "deposit") return "New value (TONO)";
    return "New value";
  }

  async function describe(option) {
    const changes = await Promise.all(option.actions.map(async (a) => a.plugin === "governance" && a.name === "set_parameter"
      ? "set " + (LABELS[a.data.name] || a.data.plugin + "." + a.data.name) + " to " + (a.data.plugin === "governance" ? await valueText(a.data.name, a.data.value) : JSON.stringify(a.data.value))
      : a.plugin + " " + a.name.replace(/_/g, " ")));
    return option.label + (changes.length ? ": " + changes.join("; ") : " (changes nothing)");
  }

  function voteButtons(p, options) {
    const box = el("div", { class: "row" });
    const choices = options.length === 1 ? [[0, "Vote yes"]] : options.map((o, i) => [i, "Vote for “" + o.label + "”"]);
    for (const [choice, label] of choices.concat([[-1, "Vote against"], [-2, "Abstain"], [-3, "Veto"]])) {
      const button = el("button", { type: "button", class: choice >= 0 ? "" : "plain", text: label, "aria-label": label + " on “" + p.title + "”" });
      button.addEventListener("click", () => vote(p.id, choice));
      box.append(button);
    }
    return box;
  }

  async function card(p) {
    const options = V.decode(p.options);
    const tally = p.tally || { options: [], against: 0, abstain: 0, veto: 0 };
    const article = el("article", { class: "panel", "data-proposal": String(p.id), "aria-labelledby": "gov-proposal-" + p.id }, [
      el("h3", { id: "gov-proposal-" + p.id, text: p.title }),
      el("p", { text: "Proposed by " + p.proposer + "." }),
      el("ul", {}, await Promise.all(options.map(async (o, i) => el("li", { text: (await describe(o)) + " · votes " + (tally.options[i] || 0) })))),
      el("p", { class: "proposal-state", text: V.stateText(p.state) + " · against " + tally.against + ", abstain " + tally.abstain + ", veto " + tally.veto }),
    ]);
    if (p.state === "pending") article.append(el("p", { class: "hint", text: "Voting opens " + (await V.whenText(p.vote_start)) + "." }));
    if (p.state === "active") article.append(el("p", { class: "hint", text: "Voting closes " + (await V.whenText(p.vote_end)) + "." }), voteButtons(p, options));
    if (p.state === "executable") {
      const run = el("button", { type: "button", text: "Carry it out", "aria-label": "Carry out “" + p.title + "”" });
      run.addEventListener("click", async () => {
        await act("proposals-status", [{ plugin: "governance", name: "execute", data: { id: p.id } }], "Done: the change is in force.");
        refresh();
      });
      article.append(run);
    }
    return article;
  }

  async function loadProposals() {
    try {
      // The network's own proposals (a DAO's, on the same engine, carry the DAO as scope).
      const list = await V.proposals("governance", (p) => !p.scope || p.scope === "network", 20);
      const cards = await Promise.all(list.map(card));
      $("proposal-list").replaceChildren(...(cards.length ? cards : [el("p", { class: "hint", text: "No proposals yet." })]));
      V.refreshWhenDue(list, refresh);
    } catch (err) {
      S.report($("proposals-status"), false, "Proposals cannot be read: " + err.message);
    }
  }

  async function vote(id, choice) {
    await act("proposals-status", [{ plugin: "governance", name: "vote", data: { id: id, voter: picker.account(), choice: choice } }], "Your vote is counted.");
    refresh();
  }

  async function propose(event) {
    event.preventDefault();
    const [plugin, name] = $("propose-parameter").value.split(".");
    busy("propose-status", "Working…");
    try {
      const value = await chainValue(name, $("propose-value").value);
      const options = await V.encode([{ label: "Yes", actions: [{ plugin: "governance", name: "set_parameter", data: { plugin: plugin, name: name, value: value } }] }]);
      const data = { proposer: picker.account(), track: "root", title: $("propose-name").value.trim(), options: options };
      if (await act("propose-status", [{ plugin: "governance", name: "propose", data: data }], "Proposed. Voting opens shortly.")) $("propose-form").reset();
    } catch (err) {
      S.report($("propose-status"), false, "Not done: " + err.message);
    }
    refresh();
  }

  async function loadDelegation() {
    const account = picker.account();
    const track = $("delegate-track").value;
    if (!account || !track) return;
    try {
      const answer = (await T.api("/v1/query/governance/delegation", { json: { delegator: account, track: track } })).result;
      const to = answer && (answer.delegate || answer);
      $("delegation-current").textContent = to && typeof to === "string" ? "You delegate to " + to + " on " + track + "." : "You vote yourself on " + track + ".";
    } catch (err) {
      $("delegation-current").textContent = "";
    }
  }

  async function delegate(event) {
    event.preventDefault();
    const data = { delegator: picker.account(), track: $("delegate-track").value, delegate: $("delegate-to").value.trim() };
    await act("delegation-status", [{ plugin: "governance", name: "delegate", data: data }], "You now delegate to " + data.delegate + ".");
    loadDelegation();
  }

  async function undelegate() {
    const data = { delegator: picker.account(), track: $("delegate-track").value };
    await act("delegation-status", [{ plugin: "governance", name: "undelegate", data: data }], "You vote yourself again.");
    loadDelegation();
  }

  async function showHistory(plugin, name) {
    const box = $("history");
    try {
      const changes = (await T.api("/v1/query/governance/parameter_history", { json: { plugin: plugin, name: name } })).result;
      const rows = changes.map((c) => el("tr", {}, [el("td", { text: "Proposal " + c.proposal }), el("td", { text: JSON.stringify(c.old) }), el("td", { text: JSON.stringify(c.new) })]));
      box.replaceChildren(
        el("h3", { text: "History of " + (LABELS[name] || plugin + "." + name) }),
        rows.length
          ? el("table", {}, [el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Changed by" }), el("th", { scope: "col", text: "From" }), el("th", { scope: "col", text: "To" })])]), el("tbody", {}, rows)])
          : el("p", { text: "Never changed since the network started." }),
      );
    } catch (err) {
      box.replaceChildren(el("p", { class: "bad", text: "History cannot be read: " + err.message }));
    }
  }

  async function loadRules() {
    const tracks = (await T.api("/v1/query/governance/tracks", { json: {} })).result;
    const root = tracks[0];
    const rows = [];
    const options = [];
    for (const [name, value] of Object.entries(root)) {
      if (name === "name" || name === "matches") continue;
      const button = el("button", { type: "button", class: "plain", text: "History", "aria-label": "History of " + (LABELS[name] || name) });
      button.addEventListener("click", () => showHistory("governance", name));
      rows.push(el("tr", { "data-parameter": name }, [el("td", { text: LABELS[name] || name }), el("td", { text: await valueText(name, value) }), el("td", {}, [button])]));
      options.push(el("option", { value: "governance." + name, text: LABELS[name] || name }));
    }
    $("parameter-list").replaceChildren(...rows);
    $("propose-parameter").replaceChildren(...options);
    $("propose-parameter").dispatchEvent(new Event("change"));
    $("delegate-track").replaceChildren(...tracks.map((t) => el("option", { value: t.name, text: t.name === "root" ? "Any rule change (root)" : t.name })));
  }

  async function refresh() {
    await loadProposals();
    loadDelegation();
  }

  function start() {
    picker = S.mountPicker($("picker"), { label: "Act as", id: "actor", onChange: loadDelegation });
    $("propose-form").addEventListener("submit", propose);
    $("delegate-form").addEventListener("submit", delegate);
    $("propose-parameter").addEventListener("change", () => {
      $("propose-value-label").firstChild.textContent = unitHint($("propose-parameter").value.split(".")[1]) + " ";
    });
    $("undelegate").addEventListener("click", undelegate);
    $("delegate-track").addEventListener("change", loadDelegation);
    $("history-form").addEventListener("submit", (event) => {
      event.preventDefault();
      showHistory($("history-plugin").value.trim(), $("history-name").value.trim());
    });
    loadRules().then(() => picker.reload()).then(refresh);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
