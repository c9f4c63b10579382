// The Pay page: balances of an account and a form to send tokens.
//
// Signing (a key kept in this browser, or DEVNET ONLY the node's demo wallet) and the
// "Pay from" control come from /web/signer.js, shared with every page that acts.
"use strict";

(function () {
  const T = window.Tonomy;
  const K = window.TonomyKeys;
  const el = T.el;
  const tokens = {}; // symbol -> decimals

  async function decimalsOf(symbol) {
    if (!(symbol in tokens)) {
      const answer = await T.api("/v1/query/pay/token", { json: { symbol: symbol } });
      tokens[symbol] = answer.result ? Number(answer.result.decimals) : 0;
    }
    return tokens[symbol];
  }

  let picker = null;

  function account() {
    return picker ? picker.account() : "";
  }

  async function refreshBalances() {
    const body = document.getElementById("balances");
    const status = document.getElementById("balances-status");
    const symbols = document.getElementById("symbol");
    const chosen = symbols.value;
    if (!account()) {
      body.replaceChildren();
      status.textContent = "No account chosen.";
      return;
    }
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

  function submitTransfer(data) {
    return window.TonomySigner.submit(picker.value(), [{ plugin: "pay", name: "transfer", data: data }]);
  }

  async function send(event) {
    event.preventDefault();
    const status = document.getElementById("send-status");
    const button = document.getElementById("send-button");
    const symbol = document.getElementById("symbol").value;
    const to = document.getElementById("to").value.trim();
    const memo = document.getElementById("memo").value;
    if (!account()) {
      status.textContent = "Add an account to send from.";
      status.className = "bad";
      return;
    }
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
      const submitted = await submitTransfer(data);
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

  async function importKey(event) {
    event.preventDefault();
    const status = document.getElementById("import-status");
    const file = document.getElementById("import-file").files[0];
    const passphrase = document.getElementById("import-passphrase");
    status.className = "status";
    status.textContent = "Encrypting the key…";
    try {
      if (!file) throw new Error("choose a key file");
      if (file.size > 4096) throw new Error("this file is too large to be a key file");
      const name = await K.importKeyFile(await file.text(), passphrase.value);
      status.className = "ok";
      status.textContent = name + " is now in this browser, encrypted with your passphrase.";
      document.getElementById("import").reset();
      await picker.reload("browser:" + name);
    } catch (err) {
      status.className = "bad";
      status.textContent = "Not added: " + err.message;
    } finally {
      passphrase.value = "";
    }
  }

  function start() {
    if (!K.available()) {
      document.getElementById("import-status").textContent =
        "Keys can be kept only on a secure page (HTTPS, or a node on this machine).";
      document.querySelector("#import button").disabled = true;
    }
    document.getElementById("send").addEventListener("submit", send);
    document.getElementById("import").addEventListener("submit", importKey);
    picker = window.TonomySigner.mountPicker(document.getElementById("picker"), { label: "Pay from", id: "account", onChange: refreshBalances });
    picker.reload();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
