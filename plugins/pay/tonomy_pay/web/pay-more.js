// The Pay page's payment requests and escrow, beside balances and sending (pay.js).
"use strict";

(function () {
  const T = window.Tonomy;
  const S = window.TonomySigner;
  const el = T.el;
  const $ = (id) => document.getElementById(id);
  const SYMBOL = "TONO";
  const DECIMALS = 6;

  function actor() {
    return $("account").value;
  }

  function accountName() {
    return S.parse(actor()).name;
  }

  function amountOf(id, statusId) {
    const amount = T.parseAmount($(id).value, DECIMALS);
    if (amount === null || amount <= 0n) {
      S.report($(statusId), false, "Enter an amount above zero, with at most " + DECIMALS + " decimals.");
      return null;
    }
    return Number(amount);
  }

  function eventOf(receipt, name) {
    const found = (receipt.events || []).find((e) => e.plugin === "pay" && e.name === name);
    return found ? T.decodeRecord(found.data) : null;
  }

  async function ask(event) {
    event.preventDefault();
    const amount = amountOf("ask-amount", "ask-status");
    if (amount === null) return;
    $("ask-status").className = "status";
    $("ask-status").textContent = "Making the request…";
    try {
      const done = await S.run(actor(), [{ plugin: "pay", name: "create_request", data: { payee: accountName(), symbol: SYMBOL, amount: amount, memo: $("ask-memo").value } }]);
      const created = eventOf(done.receipt, "request_created");
      const link = location.origin + "/pay/request/" + created.id;
      $("ask-status").className = "ok";
      $("ask-status").replaceChildren("Share this link: ", el("a", { href: link, id: "request-link", text: link }));
      $("ask").reset();
    } catch (err) {
      S.report($("ask-status"), false, "Not made: " + err.message);
    }
  }

  async function deposit(event) {
    event.preventDefault();
    const amount = amountOf("escrow-amount", "escrow-status");
    if (amount === null) return;
    $("escrow-status").className = "status";
    $("escrow-status").textContent = "Putting it in escrow…";
    try {
      const head = await T.api("/v1/health");
      const data = {
        payer: accountName(), payee: $("escrow-payee").value.trim(), arbiter: $("escrow-arbiter").value.trim(),
        symbol: SYMBOL, amount: amount, memo: "", deadline_time_ms: head.head_time + Number($("escrow-days").value) * 86400000,
      };
      const done = await S.run(actor(), [{ plugin: "pay", name: "deposit", data: data }]);
      const made = eventOf(done.receipt, "escrow_deposited");
      S.report($("escrow-status"), true, "In escrow as number " + made.id + ".");
      $("escrow").reset();
      await showEscrow(made.id);
    } catch (err) {
      S.report($("escrow-status"), false, "Not done: " + err.message);
    }
  }

  async function showEscrow(id) {
    const view = $("escrow-view");
    const record = (await T.api("/v1/query/pay/escrow", { json: { id: Number(id) } })).result;
    if (!record) {
      view.replaceChildren(el("p", { class: "bad", text: "There is no escrow number " + id + "." }));
      return;
    }
    const state = record.status === "open" ? "held" : record.status;
    const box = el("div", { class: "panel", "data-escrow": String(id) }, [
      el("p", { text: "Escrow " + id + ": " + T.formatAmount(record.amount, DECIMALS) + " " + record.symbol + " from " + record.payer + " to " + record.payee + ", third party " + record.arbiter + "." }),
      el("p", { class: "escrow-state", text: "Status: " + state + (record.deadline_reached ? " (the deadline has passed)" : "") }),
    ]);
    if (record.status === "open") {
      for (const [name, label] of [["release_escrow", "Release to " + record.payee], ["refund_escrow", "Give back to " + record.payer]]) {
        const button = el("button", { type: "button", class: name === "release_escrow" ? "" : "plain", text: label });
        button.addEventListener("click", async () => {
          try {
            await S.run(actor(), [{ plugin: "pay", name: name, data: { id: Number(id), actor: accountName() } }]);
            S.report($("escrow-status"), true, name === "release_escrow" ? "Released." : "Given back.");
          } catch (err) {
            S.report($("escrow-status"), false, "Not done: " + err.message);
          }
          showEscrow(id);
        });
        box.append(button);
      }
    }
    view.replaceChildren(box);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("ask").addEventListener("submit", ask);
    $("escrow").addEventListener("submit", deposit);
    $("escrow-lookup").addEventListener("submit", (event) => {
      event.preventDefault();
      showEscrow($("escrow-id").value.trim()).catch((err) => S.report($("escrow-status"), false, err.message));
    });
  });
})();
