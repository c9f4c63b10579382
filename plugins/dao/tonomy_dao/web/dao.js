// The DAOs page: create an organisation, its members, its treasury, its proposals and votes.
//
// Every change is a transaction signed by the chosen account (/web/signer.js); the DAO
// itself signs nothing: its treasury moves only when an approved proposal is carried out.
"use strict";

(function () {
  const T = window.Tonomy;
  const S = window.TonomySigner;
  const V = window.TonomyVoting;
  const el = T.el;
  const $ = (id) => document.getElementById(id);
  const STORE = "tonomy.daos.v1"; // names of the organisations this browser opened (not secret)
  const DECIMALS = 6;
  const SYMBOL = "TONO";
  let picker = null;
  let current = null;

  function known() {
    try {
      const list = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(list) ? list.filter((n) => typeof n === "string") : [];
    } catch (err) {
      return [];
    }
  }

  function remember(name) {
    const list = known();
    if (!list.includes(name)) localStorage.setItem(STORE, JSON.stringify(list.concat([name]).sort()));
    showKnown();
  }

  function showKnown() {
    const list = known();
    $("dao-list").replaceChildren(...(list.length
      ? list.map((name) => el("li", {}, [el("a", { href: "#dao/" + name, text: name })]))
      : [el("li", { class: "hint", text: "None yet: create one or open one by its name." })]));
  }

  function busy(id, text) {
    S.busy($(id), text);
  }

  function act(statusId, actions, okText) {
    return S.act($(statusId), picker.value(), actions, okText);
  }

  async function create(event) {
    event.preventDefault();
    const name = $("dao-name").value.trim();
    const period = await V.toBlocks(Number($("dao-period").value));
    const data = {
      creator: picker.account(), name: name, voting_period: period, timelock: 0,
      grace: await V.toBlocks(86400), quorum_bps: Math.round(Number($("dao-quorum").value) * 100), approval_bps: 5000,
    };
    $("create-button").disabled = true;
    if (await act("create-status", [{ plugin: "dao", name: "create", data: data }], name + " is created. You are its first member.")) {
      remember(name);
      location.hash = "#dao/" + name;
    }
    $("create-button").disabled = false;
  }

  async function open(name) {
    const answer = await T.api("/v1/query/dao/dao", { json: { dao: name } });
    if (!answer.result) throw new Error("no organisation is called " + name);
    current = answer.result;
    $("dao-view").hidden = false;
    $("dao-title").textContent = name;
    remember(name);
    await Promise.all([loadMembers(), loadTreasury(), loadProposals()]);
  }

  async function loadMembers() {
    const members = (await T.api("/v1/query/dao/members", { json: { dao: current.name } })).result;
    $("member-list").replaceChildren(...members.map((m) => el("tr", { "data-member": m.account }, [el("td", { text: m.account }), el("td", { text: m.role })])));
  }

  async function loadTreasury() {
    const balances = (await T.api("/v1/query/pay/balances", { json: { account: current.name } })).result;
    $("treasury").replaceChildren(...(balances.length
      ? balances.map((b) => el("tr", { "data-symbol": b.symbol }, [el("td", { text: b.symbol }), el("td", { class: "num", text: T.formatAmount(b.amount, DECIMALS) })]))
      : [el("tr", {}, [el("td", { text: "Empty" }), el("td", { class: "num", text: "0" })])]));
  }

  function choiceButtons(proposal) {
    const box = el("div", { class: "row" });
    for (const [choice, label] of [[1, "Vote yes"], [0, "Vote no"], [2, "Abstain"]]) {
      const button = el("button", { type: "button", class: choice === 1 ? "" : "plain", text: label, "aria-label": label + " on “" + proposal.title + "”" });
      button.addEventListener("click", () => vote(proposal.id, choice));
      box.append(button);
    }
    return box;
  }

  async function proposalCard(p) {
    const pay = p.actions.filter((a) => a.plugin === "pay" && a.name === "transfer");
    const what = pay.length
      ? pay.map((a) => "pay " + T.formatAmount(a.data.amount, DECIMALS) + " " + a.data.symbol + " to " + a.data.to).join("; ")
      : p.actions.length + " action(s)";
    const card = el("article", { class: "panel", "data-proposal": String(p.id), "aria-labelledby": "proposal-" + p.id }, [
      el("h4", { id: "proposal-" + p.id, text: p.title }),
      el("p", { text: "Proposed by " + p.proposer + ": " + what + "." }),
      el("p", { class: "proposal-state", text: V.stateText(p.state) + " · yes " + p.yes + ", no " + p.no + ", abstain " + p.abstain }),
    ]);
    if (p.state === "active") {
      card.append(el("p", { class: "hint", text: "Voting closes " + (await V.whenText(p.vote_end)) + "." }), choiceButtons(p));
    }
    if (p.state === "executable") {
      const run = el("button", { type: "button", text: "Carry it out", "aria-label": "Carry out “" + p.title + "”" });
      run.addEventListener("click", () => execute(p.id));
      card.append(run);
    }
    return card;
  }

  async function loadProposals() {
    const list = await V.proposals("dao", (p) => p.dao === current.name, 20);
    const cards = await Promise.all(list.map(proposalCard));
    $("proposal-list").replaceChildren(...(cards.length ? cards : [el("p", { class: "hint", text: "No proposals yet." })]));
    V.refreshWhenDue(list, refresh);
  }

  async function refresh() {
    if (current) await open(current.name).catch(() => {});
  }

  async function invite(event) {
    event.preventDefault();
    const data = { dao: current.name, inviter: picker.account(), account: $("invite-account").value.trim(), role: $("invite-role").value };
    if (await act("members-status", [{ plugin: "dao", name: "invite", data: data }], data.account + " is invited.")) $("invite-form").reset();
    refresh();
  }

  async function join() {
    await act("members-status", [{ plugin: "dao", name: "join", data: { dao: current.name, account: picker.account() } }], "You joined " + current.name + ".");
    refresh();
  }

  async function fund(event) {
    event.preventDefault();
    const amount = T.parseAmount($("fund-amount").value, DECIMALS);
    if (amount === null || amount <= 0n) return S.report($("treasury-status"), false, "Enter an amount above zero.");
    const data = { from: picker.account(), to: current.name, symbol: SYMBOL, amount: Number(amount), memo: "treasury" };
    if (await act("treasury-status", [{ plugin: "pay", name: "transfer", data: data }], "Added " + T.formatAmount(amount, DECIMALS) + " " + SYMBOL + " to the treasury.")) $("fund-form").reset();
    refresh();
  }

  async function propose(event) {
    event.preventDefault();
    const amount = T.parseAmount($("propose-amount").value, DECIMALS);
    if (amount === null || amount <= 0n) return S.report($("proposals-status"), false, "Enter an amount above zero.");
    busy("proposals-status", "Working…");
    try {
      const actions = await V.encode([{ plugin: "pay", name: "transfer", data: { from: current.name, to: $("propose-to").value.trim(), symbol: SYMBOL, amount: Number(amount), memo: "" } }]);
      const data = { dao: current.name, proposer: picker.account(), title: $("propose-title-input").value.trim(), actions: actions };
      if (await act("proposals-status", [{ plugin: "dao", name: "propose", data: data }], "Proposed. Members can vote now.")) $("propose-form").reset();
    } catch (err) {
      S.report($("proposals-status"), false, "Not done: " + err.message);
    }
    refresh();
  }

  async function vote(id, choice) {
    await act("proposals-status", [{ plugin: "dao", name: "vote", data: { id: id, voter: picker.account(), choice: choice } }], "Your vote is counted.");
    refresh();
  }

  async function execute(id) {
    await act("proposals-status", [{ plugin: "dao", name: "execute", data: { id: id } }], "Done: the proposal was carried out.");
    refresh();
  }

  async function route() {
    const match = /^#dao\/([a-z0-9.-]{3,32})$/.exec(location.hash);
    if (!match) return;
    try {
      await open(match[1]);
      $("dao-title").focus();
    } catch (err) {
      S.report($("open-status"), false, err.message);
    }
  }

  function start() {
    V.fillDurations($("dao-period"));
    picker = S.mountPicker($("picker"), { label: "Act as", id: "actor" });
    picker.reload();
    showKnown();
    $("create-form").addEventListener("submit", create);
    $("open-form").addEventListener("submit", (event) => {
      event.preventDefault();
      location.hash = "#dao/" + $("open-name").value.trim();
    });
    $("invite-form").addEventListener("submit", invite);
    $("join-button").addEventListener("click", join);
    $("fund-form").addEventListener("submit", fund);
    $("propose-form").addEventListener("submit", propose);
    window.addEventListener("hashchange", route);
    route();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
