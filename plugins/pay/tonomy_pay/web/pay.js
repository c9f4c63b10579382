// The Pay page: balances of an account and a form to send tokens.
// Signing: this first cut uses the node's devnet wallet (POST /v1/devnet/wallet/actions),
// which exists only on a devnet; the browser never holds a key.
"use strict";

(function () {
  const T = window.Tonomy;
  const el = T.el;
  const tokens = {}; // symbol -> decimals

  async function decimalsOf(symbol) {
    if (!(symbol in tokens)) {
      const answer = await T.api("/v1/query/pay/token", { json: { symbol: symbol } });
      tokens[symbol] = answer.result ? Number(answer.result.decimals) : 0;
    }
    return tokens[symbol];
  }

  function account() {
    return document.getElementById("account").value;
  }

  async function refreshBalances() {
    const body = document.getElementById("balances");
    const status = document.getElementById("balances-status");
    const symbols = document.getElementById("symbol");
    const chosen = symbols.value;
    try {
      const answer = await T.api("/v1/query/pay/balances", { json: { account: account() } });
      const rows = [];
      const options = [];
      for (const entry of answer.result) {
        const decimals = await decimalsOf(entry.symbol);
        rows.push(el("tr", { "data-symbol": entry.symbol }, [
          el("td", { text: entry.symbol }),
          el("td", { class: "num", text: T.formatAmount(entry.amount, decimals) }),
        ]));
        options.push(el("option", { value: entry.symbol, text: entry.symbol }));
      }
      body.replaceChildren(...rows);
      symbols.replaceChildren(...options);
      if (chosen) symbols.value = chosen;
      status.textContent = rows.length ? "" : "No tokens yet.";
    } catch (err) {
      status.textContent = "Balances cannot be read: " + err.message;
    }
  }

  async function send(event) {
    event.preventDefault();
    const status = document.getElementById("send-status");
    const button = document.getElementById("send-button");
    const symbol = document.getElementById("symbol").value;
    const to = document.getElementById("to").value.trim();
    const memo = document.getElementById("memo").value;
    if (!symbol) {
      status.textContent = "There is no token to send.";
      status.className = "bad";
      return;
    }
    const amount = T.parseAmount(document.getElementById("amount").value, await decimalsOf(symbol));
    if (amount === null || amount <= 0n) {
      status.textContent = "Enter an amount above zero, with at most " + tokens[symbol] + " decimals.";
      status.className = "bad";
      document.getElementById("amount").focus();
      return;
    }
    button.disabled = true;
    status.className = "status";
    status.textContent = "Sending…";
    try {
      const data = { from: account(), to: to, symbol: symbol, amount: Number(amount), memo: memo };
      if (!Number.isSafeInteger(data.amount)) throw new Error("That amount is too large to send from this page.");
      const submitted = await T.api("/v1/devnet/wallet/actions", {
        json: { account: account(), plugin: "pay", name: "transfer", data: data },
      });
      const done = await T.api("/v1/transactions/" + submitted.id + "/wait?timeout=20");
      const receipt = done.receipt || {};
      if (done.status !== "committed") {
        status.textContent = "Sent; still waiting for the network to confirm it.";
      } else if (receipt.status !== "executed") {
        status.className = "bad";
        status.textContent = "The payment failed: " + (receipt.error ? receipt.error.message : "unknown reason");
      } else {
        status.className = "ok";
        status.replaceChildren(
          "Sent " + T.formatAmount(amount, tokens[symbol]) + " " + symbol + " to " + to + ". ",
          el("a", { href: "/app/explorer/index.html#tx/" + submitted.id, text: "See it in the Explorer", id: "sent-link" }),
        );
        document.getElementById("send").reset();
        document.getElementById("symbol").value = symbol;
      }
    } catch (err) {
      status.className = "bad";
      status.textContent = "Not sent: " + err.message;
    } finally {
      button.disabled = false;
      refreshBalances();
    }
  }

  async function start() {
    const select = document.getElementById("account");
    try {
      const wallet = await T.api("/v1/devnet/wallet");
      select.replaceChildren(...wallet.accounts.map((name) => el("option", { value: name, text: name })));
    } catch (err) {
      document.getElementById("wallet-note").textContent =
        "Sending needs a wallet; this node offers none (the demo wallet exists on a devnet only).";
      document.getElementById("send-button").disabled = true;
    }
    select.addEventListener("change", refreshBalances);
    document.getElementById("send").addEventListener("submit", send);
    refreshBalances();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
