// The Pay page: balances of an account and a form to send tokens.
//
// Two ways to sign, chosen with the account:
// * "this browser": a key imported into the browser keystore (/web/keystore.js), encrypted
//   with a passphrase at rest and unlocked for this page; the node builds the transaction
//   body (/v1/transactions/unsigned), the browser signs its id, the node assembles and
//   submits it (/v1/transactions/signed). The key never leaves the browser.
// * "devnet wallet": DEVNET ONLY, the node signs with the demo accounts' key files
//   (/v1/devnet/wallet/actions); offered only when the node has that wallet.
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

  function choice() {
    const [source, name] = (document.getElementById("account").value || ":").split(":");
    return { source: source, name: name };
  }

  function account() {
    return choice().name;
  }

  function showLockState() {
    const { source, name } = choice();
    const note = document.getElementById("wallet-note");
    const unlock = document.getElementById("unlock");
    if (source === "browser") {
      unlock.hidden = K.isUnlocked(name);
      note.className = "hint";
      note.textContent = K.isUnlocked(name)
        ? "Unlocked in this page. Leaving the page locks it again."
        : "Locked. Enter its passphrase to send.";
    } else if (source === "devnet") {
      unlock.hidden = true;
      note.className = "hint devnet";
      note.textContent = "Signing uses this devnet's demo wallet on the node (devnet only).";
    } else {
      unlock.hidden = true;
      note.textContent = "Add an account below to send.";
    }
  }

  async function refreshAccounts(select) {
    const select_ = document.getElementById("account");
    const options = K.available()
      ? K.accounts().map((name) => el("option", { value: "browser:" + name, text: name + " (this browser)" }))
      : [];
    try {
      const wallet = await T.api("/v1/devnet/wallet");
      for (const name of wallet.accounts) options.push(el("option", { value: "devnet:" + name, text: name + " (devnet wallet)" }));
    } catch (err) {
      // No devnet wallet on this node: only keys in this browser can sign.
    }
    select_.replaceChildren(...options);
    if (select) select_.value = select;
    showLockState();
    refreshBalances();
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

  async function submitTransfer(data) {
    const { source, name } = choice();
    if (source === "devnet") {
      return T.api("/v1/devnet/wallet/actions", { json: { account: name, plugin: "pay", name: "transfer", data: data } });
    }
    if (!K.isUnlocked(name)) throw new Error("unlock " + name + " first");
    const nonce = crypto.getRandomValues(new Uint32Array(1))[0];
    const unsigned = await T.api("/v1/transactions/unsigned", {
      json: { actions: [{ plugin: "pay", name: "transfer", authorization: [name + "@active"], data: data }], nonce: nonce },
    });
    const signature = await K.sign(name, unsigned.id);
    return T.api("/v1/transactions/signed", { json: { body: unsigned.body, signatures: [signature] } });
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

  async function unlock(event) {
    event.preventDefault();
    const status = document.getElementById("unlock-status");
    const field = document.getElementById("unlock-passphrase");
    status.className = "status";
    status.textContent = "Unlocking…";
    try {
      await K.unlock(account(), field.value);
      status.className = "ok";
      status.textContent = account() + " is unlocked.";
    } catch (err) {
      status.className = "bad";
      status.textContent = "Not unlocked: " + err.message;
    } finally {
      field.value = "";
      showLockState();
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
      await refreshAccounts("browser:" + name);
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
    document.getElementById("account").addEventListener("change", () => { showLockState(); refreshBalances(); });
    document.getElementById("send").addEventListener("submit", send);
    document.getElementById("unlock").addEventListener("submit", unlock);
    document.getElementById("import").addEventListener("submit", importKey);
    refreshAccounts();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
