// Social recovery in the pages: the person who lost everything asks; guardians help.
//
// * Asking (no ID in this browser): a new recovery passphrase (shown once) derives the new
//   owner key, a new device key is kept here under a new PIN, and a link carries the two
//   public keys to the guardians. localStorage "tonomy.id.recovering.v1" keeps only the
//   account, username and those public keys; when the account's `active` becomes the
//   device key (a guardian finished the recovery), this browser is signed in.
// * Helping (#help/<account>/<owner key>/<device key>): a guardian starts the recovery
//   with exactly those keys, agrees to it, finishes it after the waiting time, or blocks a
//   recovery that is not the one in the link. The chain checks who is a guardian.
"use strict";

window.TonomyRecovery = (function () {
  const T = window.Tonomy;
  const K = window.TonomyKeys;
  const S = window.TonomySigner;
  const ID = window.TonomyID;
  const el = T.el;
  const $ = (id) => document.getElementById(id);
  const PENDING = "tonomy.id.recovering.v1";
  const HELP = /^#help\/([a-z0-9.-]{3,32})\/([0-9a-f]{64})\/([0-9a-f]{64})$/;
  let picker = null;

  function pending() {
    try {
      const doc = JSON.parse(localStorage.getItem(PENDING) || "null");
      return doc && typeof doc.account === "string" && typeof doc.active_key === "string" ? doc : null;
    } catch (err) {
      return null;
    }
  }

  async function ask(event) {
    event.preventDefault();
    const status = $("recover-status");
    const pin = $("recover-pin").value;
    if (!/^[0-9]{6,12}$/.test(pin)) return S.report(status, false, "Choose a PIN of 6 to 12 digits.");
    const device = crypto.getRandomValues(new Uint8Array(32));
    let owner = null;
    try {
      S.busy(status, "Preparing…");
      const username = $("recover-username").value;
      const found = await ID.lookupUsername(username);
      if (!found.account) throw new Error("no Tonomy ID has this username");
      const state = (await T.api("/v1/query/identity/recovery", { json: { account: found.account } })).result;
      if (!state.guardians) throw new Error("this ID has no guardians");
      const passphrase = ID.newPassphrase();
      owner = await ID.ownerSeed(found.account, passphrase);
      const ownerKey = await K.publicKeyOf(owner);
      const deviceKey = await K.addSeed(found.account, device, pin);
      localStorage.setItem(PENDING, JSON.stringify({ account: found.account, username: username.trim().toLowerCase(), owner_key: ownerKey, active_key: deviceKey }));
      $("recover-passphrase").textContent = passphrase;
      const link = $("recover-link");
      link.href = location.origin + location.pathname + "#help/" + found.account + "/" + ownerKey + "/" + deviceKey;
      link.textContent = "The link for your guardians";
      $("recover-form").hidden = true;
      $("recover-step").hidden = false;
      const g = state.guardians;
      S.report(status, true, "Send the link to your guardians (" + g.guardians.join(", ") + "): " + g.threshold + " of them must agree, then it takes effect after the waiting time.");
    } catch (err) {
      S.report(status, false, "Not possible: " + err.message);
    } finally {
      device.fill(0);
      if (owner) owner.fill(0);
    }
  }

  // Signed in once the account's active authority is this browser's device key.
  async function finishIfRecovered() {
    const doc = pending();
    if (!doc || ID.current()) return;
    try {
      const info = (await T.api("/v1/query/tonomy/account", { json: { name: doc.account } })).result;
      const active = info.permissions.find((p) => p.name === "active").authority;
      if (active.keys.some((k) => k.key.$bytes === doc.active_key) && K.publicKey(doc.account) === doc.active_key) {
        ID.save({ account: doc.account, username: doc.username, apps: [] });
        localStorage.removeItem(PENDING);
      }
    } catch (err) {
      // Not yet: stay on the welcome page.
    }
  }

  function target() {
    const match = HELP.exec(location.hash);
    return match ? { account: match[1], owner: match[2], active: match[3] } : null;
  }

  function button(text, onClick, plain) {
    const b = el("button", { type: "button", class: plain ? "plain" : "", text: text });
    b.addEventListener("click", onClick);
    return b;
  }

  async function act(actions, okText) {
    await S.act($("help-status"), picker.value(), actions, okText);
    renderHelp();
  }

  async function renderHelp() {
    const t = target();
    const box = $("help-actions");
    const who = $("help-who");
    const state = (await T.api("/v1/query/identity/recovery", { json: { account: t.account } })).result;
    if (!state.guardians) {
      who.textContent = "The ID with payment address " + t.account + " has no guardians: nobody can recover it.";
      box.replaceChildren();
      return;
    }
    const g = state.guardians;
    who.textContent = "The owner of the ID with payment address " + t.account + " asks for your help to get it back. Agree only if they asked you themselves, in a way you trust.";
    const p = state.pending;
    const me = () => picker.account();
    if (!p) {
      box.replaceChildren(button("Start the recovery", () => act([{ plugin: "identity", name: "request_recovery",
        data: { account: t.account, guardian: me(), new_owner_key: { $bytes: t.owner }, new_active_key: { $bytes: t.active } } }], "You started the recovery and agreed to it.")));
      return;
    }
    const rid = { $bytes: p.id.$bytes };
    if (p.new_owner_key.$bytes !== t.owner || p.new_active_key.$bytes !== t.active) {
      box.replaceChildren(
        el("p", { class: "bad", text: "Another recovery of this ID is in progress, not the one in this link. If its owner did not ask for it, block it for a while." }),
        button("Block that recovery", () => act([{ plugin: "identity", name: "lock_recovery", data: { account: t.account, guardian: me(), request_id: rid } }], "You blocked that recovery."), true),
      );
      return;
    }
    const head = await T.api("/v1/health");
    const readyMs = p.started_ms + g.delay_s * 1000;
    const agreed = p.approvals.filter((name) => g.guardians.includes(name));
    const parts = [el("p", { id: "help-progress", text: agreed.length + " of the " + g.threshold + " needed agreed (" + agreed.join(", ") + ")." })];
    if (!agreed.includes(me())) {
      parts.push(button("Agree", () => act([{ plugin: "identity", name: "approve_recovery", data: { account: t.account, guardian: me(), request_id: rid } }], "You agreed.")));
    }
    if (head.head_time >= readyMs && agreed.length >= g.threshold) {
      parts.push(button("Finish the recovery", () => act([{ plugin: "identity", name: "execute_recovery", data: { account: t.account } }], "Done: the ID is theirs again.")));
    } else {
      parts.push(el("p", { class: "hint", text: "It can take effect from " + T.timeText(readyMs) + ", once enough guardians agreed." }));
    }
    box.replaceChildren(...parts);
  }

  // True (and the help view shown) when the address is a guardian's help link.
  function showHelp() {
    const t = target();
    $("help").hidden = !t;
    if (!t) return false;
    if (!picker) picker = S.mountPicker($("help-picker"), { label: "You are", id: "helper", onChange: () => renderHelp().catch(() => {}) });
    picker.reload();
    return true;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("recover-form").addEventListener("submit", ask);
  });

  return { finishIfRecovered, showHelp, isHelp: () => target() !== null };
})();
