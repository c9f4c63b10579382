// Acting as an account from a page: who can sign here, unlocking, submitting, waiting.
//
// Two kinds of signer, as on the Pay page (docs/web.md):
// * "browser:<account>": a key in this browser's keystore (/web/keystore.js), unlocked for
//   this page with its passphrase or PIN; the node builds the body, the browser signs its id.
// * "devnet:<account>": DEVNET ONLY, the node's demo wallet signs (one action per transaction).
// Pages use `mountPicker` for the "Act as" control and `run` to submit actions and wait
// for the result; a failed action becomes an Error whose message is the chain's reason.
"use strict";

window.TonomySigner = (function () {
  const T = window.Tonomy;
  const K = window.TonomyKeys;
  const el = T.el;

  function parse(value) {
    const at = String(value || "").indexOf(":");
    return at < 0 ? { source: "", name: "" } : { source: value.slice(0, at), name: value.slice(at + 1) };
  }

  // The Tonomy ID kept in this browser (by the identity app), to name it by its username.
  function myId() {
    try {
      const doc = JSON.parse(localStorage.getItem("tonomy.id.v1") || "null");
      return doc && typeof doc.account === "string" && typeof doc.username === "string" ? doc : null;
    } catch (err) {
      return null;
    }
  }

  // [{value, label}] of every account this page can act as; the Tonomy ID first.
  async function choices() {
    const id = myId();
    const names = K.available() ? K.accounts() : [];
    const found = names.map((name) => ({
      value: "browser:" + name,
      label: id && id.account === name ? id.username + " (your Tonomy ID)" : name + " (this browser)",
    }));
    found.sort((a, b) => Number(b.label.endsWith("(your Tonomy ID)")) - Number(a.label.endsWith("(your Tonomy ID)")));
    try {
      const wallet = await T.api("/v1/devnet/wallet");
      for (const name of wallet.accounts) found.push({ value: "devnet:" + name, label: name + " (devnet wallet)" });
    } catch (err) {
      // No devnet wallet on this node: only keys in this browser can sign.
    }
    return found;
  }

  function needsUnlock(value) {
    const { source, name } = parse(value);
    return source === "browser" && !K.isUnlocked(name);
  }

  async function submit(value, actions) {
    const { source, name } = parse(value);
    if (source === "devnet") {
      if (actions.length !== 1) throw new Error("the devnet wallet signs one action at a time");
      const only = actions[0];
      return T.api("/v1/devnet/wallet/actions", { json: { account: name, plugin: only.plugin, name: only.name, data: only.data } });
    }
    if (source !== "browser") throw new Error("choose an account first");
    if (!K.isUnlocked(name)) throw new Error("unlock " + name + " first");
    const nonce = crypto.getRandomValues(new Uint32Array(1))[0];
    const unsigned = await T.api("/v1/transactions/unsigned", {
      json: {
        actions: actions.map((a) => ({ plugin: a.plugin, name: a.name, data: a.data, authorization: a.authorization || [name + "@active"] })),
        nonce: nonce,
      },
    });
    const signature = await K.sign(name, unsigned.id);
    return T.api("/v1/transactions/signed", { json: { body: unsigned.body, signatures: [signature] } });
  }

  // Wait for a submitted transaction; resolves to its id when it executed, throws otherwise.
  async function settle(submitted) {
    const done = await T.api("/v1/transactions/" + submitted.id + "/wait?timeout=20");
    if (done.status !== "committed") throw new Error("the network has not confirmed it yet; check again in a moment");
    const receipt = done.receipt || {};
    if (receipt.status !== "executed") throw new Error(receipt.error ? receipt.error.message : "it failed for an unknown reason");
    return { id: submitted.id, receipt: receipt };
  }

  async function run(value, actions) {
    return settle(await submit(value, actions));
  }

  // The "Act as" control: a select, an unlock form shown only when a browser key is locked.
  // `onChange(value)` runs whenever the chosen account or its lock state changes.
  function mountPicker(container, options) {
    const opts = Object.assign({ label: "Act as", id: "actor" }, options || {});
    const select = el("select", { id: opts.id, name: opts.id });
    const note = el("p", { class: "hint", id: opts.id + "-note" });
    const field = el("input", { id: opts.id + "-secret", type: "password", autocomplete: "current-password", required: "" });
    const form = el("form", { class: "stack", id: opts.id + "-unlock", hidden: "" }, [
      el("label", { for: field.id }, ["Passphrase or PIN for this account", field]),
      el("button", { type: "submit", text: "Unlock" }),
    ]);
    const status = el("p", { role: "status", "aria-live": "polite", id: opts.id + "-status" });
    container.replaceChildren(el("label", { for: select.id }, [opts.label, select]), note, form, status);

    function refreshState() {
      const { source, name } = parse(select.value);
      form.hidden = !needsUnlock(select.value);
      note.className = source === "devnet" ? "hint devnet" : "hint";
      if (source === "browser") note.textContent = K.isUnlocked(name) ? "Unlocked in this page. Leaving the page locks it again." : "Locked. Enter its passphrase or PIN to act.";
      else if (source === "devnet") note.textContent = "Signing uses this devnet's demo wallet on the node (devnet only).";
      else note.textContent = "No account can act here yet: create one in Tonomy ID.";
      if (opts.onChange) opts.onChange(select.value);
    }

    async function reload(preferred) {
      const list = await choices();
      select.replaceChildren(...list.map((c) => el("option", { value: c.value, text: c.label })));
      if (preferred && list.some((c) => c.value === preferred)) select.value = preferred;
      refreshState();
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      status.className = "status";
      status.textContent = "Unlocking…";
      try {
        await K.unlock(parse(select.value).name, field.value);
        status.className = "ok";
        status.textContent = parse(select.value).name + " is unlocked.";
      } catch (err) {
        status.className = "bad";
        status.textContent = "Not unlocked: " + err.message;
      } finally {
        field.value = "";
        refreshState();
      }
    });
    select.addEventListener("change", refreshState);
    return { reload: reload, value: () => select.value, account: () => parse(select.value).name, select: select };
  }

  // Show a result in a status element: ok text, or the reason it failed.
  function report(status, ok, text) {
    status.className = ok ? "ok" : "bad";
    status.textContent = text;
  }

  function busy(status, text) {
    status.className = "status";
    status.textContent = text;
  }

  // Run actions as `value`, saying in `status` what happened; true when they executed.
  async function act(status, value, actions, okText) {
    busy(status, "Working…");
    try {
      await run(value, actions);
      report(status, true, okText);
      return true;
    } catch (err) {
      report(status, false, "Not done: " + err.message);
      return false;
    }
  }

  return { choices, parse, needsUnlock, submit, settle, run, mountPicker, report, busy, act };
})();
