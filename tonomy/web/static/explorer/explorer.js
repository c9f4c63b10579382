// The Explorer: latest blocks, a live list of events (the node's event stream), and
// look-ups of a block, a transaction or an account. Views are addressed by the URL hash
// (#block/12, #tx/<id>, #account/alice) so every view has a link and Back works.
"use strict";

(function () {
  const T = window.Tonomy;
  const el = T.el;
  const RECENT_BLOCKS = 10;
  const VALIDATOR_WINDOW = 50;
  const ACTIVITY_ROWS = 50;
  const ACTIVITY_BACKLOG_BLOCKS = 2000;

  function link(text, hash) {
    return el("a", { href: "#" + hash, text: text });
  }

  // Event data is the plugin's record in the canonical codec; when it reads as a JSON
  // object of plain values, show them ("from alice, to bob, ..."), else nothing.
  function eventSummary(data) {
    try {
      const hex = data && data.$bytes;
      if (typeof hex !== "string" || hex.length > 8192) return "";
      const bytes = new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));
      const record = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      if (!record || typeof record !== "object" || Array.isArray(record)) return "";
      return Object.entries(record)
        .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
        .map(([key, value]) => key + " " + value)
        .join(", ");
    } catch (err) {
      return "";
    }
  }

  function short(hex) {
    return hex.length > 16 ? hex.slice(0, 8) + "…" + hex.slice(-6) : hex;
  }

  function showDetail(title, body) {
    const section = document.getElementById("detail");
    section.hidden = false;
    const heading = document.getElementById("detail-title");
    heading.textContent = title;
    document.getElementById("detail-body").replaceChildren(...body);
    heading.focus();
  }

  function rows(pairs) {
    const table = el("table");
    for (const [name, value] of pairs) {
      table.append(el("tr", {}, [el("th", { scope: "row", text: name }), el("td", {}, [value])]));
    }
    return table;
  }

  async function showBlock(height) {
    const block = await T.api("/v1/blocks/" + encodeURIComponent(height));
    const txs = el("ul");
    for (const id of block.transactions) txs.append(el("li", {}, [link(short(id), "tx/" + id)]));
    showDetail("Block " + block.header.height, [
      rows([
        ["Time", T.timeText(block.header.time)],
        ["Transactions", String(block.transactions.length)],
        ["Proposed by", link(short(block.header.proposer), "validators")],
        ["Hash", el("span", { class: "mono", text: block.header.hash })],
      ]),
      block.transactions.length ? txs : el("p", { class: "status", text: "No transactions in this block." }),
    ]);
  }

  async function showTransaction(id) {
    const tx = await T.api("/v1/transactions/" + encodeURIComponent(id));
    const pairs = [["Status", tx.status === "committed" ? "Committed" : "Pending"]];
    if (tx.height !== null && tx.height !== undefined) pairs.push(["Block", link(String(tx.height), "block/" + tx.height)]);
    const receipt = tx.receipt || {};
    if (receipt.status) pairs.push(["Result", receipt.status === "executed" ? "Executed" : "Failed"]);
    if (receipt.error) pairs.push(["Error", receipt.error.code + ": " + receipt.error.message]);
    const events = el("ul");
    for (const event of receipt.events || []) {
      const summary = eventSummary(event.data);
      events.append(el("li", { text: event.plugin + " · " + event.name + (summary ? ": " + summary : "") }));
    }
    pairs.push(["Events", (receipt.events || []).length ? events : "none"]);
    pairs.push(["Id", el("span", { class: "mono", text: tx.id })]);
    showDetail("Transaction " + short(tx.id), [rows(pairs)]);
  }

  async function showAccount(name) {
    const answer = await T.api("/v1/query/tonomy/account", { json: { name: name } });
    const account = answer.result;
    if (!account) {
      showDetail("Account " + name, [el("p", { text: "No account has this name." })]);
      return;
    }
    const permissions = account.permissions ? Object.keys(account.permissions) : [];
    showDetail("Account " + name, [
      rows([
        ["Type", String(account.type || "")],
        ["Permissions", permissions.join(", ") || "none"],
      ]),
    ]);
  }

  async function route() {
    const hash = decodeURIComponent(location.hash.slice(1));
    const [kind, value] = [hash.split("/")[0], hash.split("/").slice(1).join("/")];
    try {
      if (kind === "block") await showBlock(value);
      else if (kind === "tx") await showTransaction(value);
      else if (kind === "account") await showAccount(value);
    } catch (err) {
      showDetail("Not found", [el("p", { class: "bad", text: err.message })]);
    }
  }

  function search(event) {
    event.preventDefault();
    const q = document.getElementById("search-input").value.trim();
    if (/^\d+$/.test(q)) location.hash = "block/" + q;
    else if (/^[0-9a-fA-F]{64}$/.test(q)) location.hash = "tx/" + q.toLowerCase();
    else location.hash = "account/" + q;
  }

  // Validators as the chain shows them: the proposers of recent blocks, with how many each made.
  function showValidators(blocks) {
    const seen = new Map();
    for (const block of blocks) {
      const entry = seen.get(block.header.proposer) || { count: 0, latest: block.header.height };
      entry.count += 1;
      entry.latest = Math.max(entry.latest, block.header.height);
      seen.set(block.header.proposer, entry);
    }
    document.getElementById("validator-list").replaceChildren(...Array.from(seen, ([key, entry]) => el("tr", { "data-validator": key }, [
      el("td", { class: "mono", title: key, text: short(key) }),
      el("td", { class: "num", text: String(entry.count) }),
      el("td", { class: "num" }, [link(String(entry.latest), "block/" + entry.latest)]),
    ])));
  }

  async function refreshBlocks() {
    const body = document.getElementById("blocks");
    try {
      const head = await T.api("/v1/blocks/head");
      const rowsOut = [];
      const recent = [];
      for (let h = head.header.height; h >= 0 && h > head.header.height - VALIDATOR_WINDOW; h--) {
        const block = h === head.header.height ? head : await T.api("/v1/blocks/" + h);
        recent.push(block);
        if (h <= head.header.height - RECENT_BLOCKS) continue;
        rowsOut.push(el("tr", {}, [
          el("td", { class: "num" }, [link(String(h), "block/" + h)]),
          el("td", { text: T.timeText(block.header.time) }),
          el("td", { class: "num", text: String(block.transactions.length) }),
        ]));
        if (rowsOut.length === RECENT_BLOCKS) body.replaceChildren(...rowsOut); // the table first, validators after
      }
      body.replaceChildren(...rowsOut);
      showValidators(recent);
    } catch (err) {
      body.replaceChildren(el("tr", {}, [el("td", { colspan: "3", class: "bad", text: err.message })]));
    }
  }

  async function listen() {
    const status = document.getElementById("activity-status");
    const body = document.getElementById("activity");
    let start = 0;
    try {
      const health = await T.api("/v1/health");
      start = Math.max(0, health.height - ACTIVITY_BACKLOG_BLOCKS);
    } catch (err) {
      status.textContent = "The network cannot be reached.";
      return;
    }
    // EventSource reconnects by itself and sends Last-Event-ID: the node resumes after it.
    const source = new EventSource("/v1/events?from_height=" + start);
    source.addEventListener("open", () => { status.textContent = "Live."; });
    source.addEventListener("error", () => { status.textContent = "Reconnecting…"; });
    source.addEventListener("chain", (message) => {
      const event = JSON.parse(message.data);
      body.prepend(el("tr", { "data-tx": event.tx_id }, [
        el("td", {}, [link(String(event.height), "block/" + event.height)]),
        el("td", { text: event.plugin + " · " + event.name }),
        el("td", {}, [link(short(event.tx_id), "tx/" + event.tx_id)]),
      ]));
      while (body.children.length > ACTIVITY_ROWS) body.lastElementChild.remove();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("search").addEventListener("submit", search);
    document.getElementById("refresh").addEventListener("click", refreshBlocks);
    window.addEventListener("hashchange", route);
    refreshBlocks();
    listen();
    if (location.hash) route();
  });
})();
