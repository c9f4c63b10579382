// The Tonomy ID page: onboarding, then overview, devices, guardians, credentials, app sessions.
"use strict";

(function () {
  const T = window.Tonomy;
  const K = window.TonomyKeys;
  const S = window.TonomySigner;
  const ID = window.TonomyID;
  const el = T.el;
  const $ = (id) => document.getElementById(id);
  const VIEWS = ["overview", "devices", "guardians", "credentials", "sessions"];
  let pending = null; // {username, pin, passphrase, hash} between the two onboarding steps

  function say(id, ok, text) {
    S.report($(id), ok, text);
  }

  function busy(id, text) {
    S.busy($(id), text);
  }

  // -- onboarding -----------------------------------------------------------------------

  async function continueCreate(event) {
    event.preventDefault();
    const username = $("new-username").value;
    const pin = $("new-pin").value;
    if (!/^[0-9]{6,12}$/.test(pin)) return say("create-status", false, "Choose a PIN of 6 to 12 digits.");
    if (pin !== $("new-pin-again").value) return say("create-status", false, "The two PINs differ.");
    busy("create-status", "Checking the username…");
    try {
      const found = await ID.lookupUsername(username);
      if (found.account) return say("create-status", false, "This username is taken. Choose another.");
      pending = { username: username.trim().toLowerCase(), pin: pin, passphrase: ID.newPassphrase(), hash: found.username_hash };
    } catch (err) {
      return say("create-status", false, "Not possible: " + err.message);
    }
    $("passphrase").textContent = pending.passphrase;
    $("create-form").hidden = true;
    $("passphrase-step").hidden = false;
    $("create-status").textContent = "";
    $("written-down").focus();
  }

  async function sponsor() {
    try {
      const wallet = await T.api("/v1/devnet/wallet");
      if (wallet.accounts.length) return wallet.accounts[0];
    } catch (err) {
      // no devnet wallet
    }
    throw new Error("this network has no onboarding sponsor here; ask an existing member to create your account");
  }

  async function createIdentity(event) {
    event.preventDefault();
    if (!pending) return;
    const button = $("create-button");
    button.disabled = true;
    const account = ID.newAccountName();
    const device = crypto.getRandomValues(new Uint8Array(32));
    let owner = null;
    try {
      busy("create-status", "Securing your ID on this device…");
      owner = await ID.ownerSeed(account, pending.passphrase);
      const ownerKey = await K.publicKeyOf(owner);
      const deviceKey = await K.addSeed(account, device, pending.pin);
      busy("create-status", "Creating your account…");
      const by = await sponsor();
      await S.run("devnet:" + by, [{
        plugin: "tonomy", name: "newaccount",
        data: { creator: by, name: account, type: "person", owner: ID.keyAuthority([ownerKey]), active: ID.keyAuthority([deviceKey]) },
      }]);
      ID.save({ account: account, username: pending.username, apps: [] });
      await K.unlock(account, pending.pin);
      busy("create-status", "Registering your username…");
      await S.run("browser:" + account, [{ plugin: "identity", name: "register_username", data: { account: account, username_hash: pending.hash } }]);
      try {
        // Devnet welcome: a few tokens from the sponsor so the new ID can try payments.
        await S.run("devnet:" + by, [{ plugin: "pay", name: "transfer", data: { from: by, to: account, symbol: "TONO", amount: 100000000, memo: "welcome" } }]);
      } catch (err) {
        // No Pay or no funds: the ID works without them.
      }
      $("passphrase").textContent = "";
      $("passphrase-step").hidden = true;
      pending = null;
      location.hash = "#overview";
      showIdentity();
      say("overview-status", true, "Welcome! Your Tonomy ID is ready.");
    } catch (err) {
      if (!ID.current()) K.forget(account);
      say("create-status", false, "Not created: " + err.message);
    } finally {
      device.fill(0);
      if (owner) owner.fill(0);
      button.disabled = false;
    }
  }

  async function restore(event) {
    event.preventDefault();
    const pin = $("restore-pin").value;
    const passphrase = $("restore-passphrase");
    if (!/^[0-9]{6,12}$/.test(pin)) return say("restore-status", false, "Choose a PIN of 6 to 12 digits.");
    const device = crypto.getRandomValues(new Uint8Array(32));
    let account = null;
    try {
      busy("restore-status", "Finding your ID…");
      const found = await ID.lookupUsername($("restore-username").value);
      if (!found.account) throw new Error("no Tonomy ID has this username");
      account = found.account;
      const deviceKey = await K.addSeed(account, device, pin);
      const info = (await T.api("/v1/query/tonomy/account", { json: { name: account } })).result;
      const active = info.permissions.find((p) => p.name === "active").authority;
      const keys = active.keys.map((k) => k.key.$bytes).concat([deviceKey]);
      busy("restore-status", "Adding this browser…");
      await ID.runAsOwner(account, passphrase.value, [{
        plugin: "tonomy", name: "updateauth",
        data: { account: account, permission: "active", parent: "owner", authority: Object.assign(ID.keyAuthority(keys), { accounts: active.accounts, waits: active.waits }) },
      }]);
      ID.save({ account: account, username: $("restore-username").value.trim().toLowerCase(), apps: [] });
      showIdentity();
      say("overview-status", true, "This browser is now one of your devices.");
    } catch (err) {
      if (account && !ID.current()) K.forget(account);
      say("restore-status", false, "Not added: " + err.message);
    } finally {
      device.fill(0);
      passphrase.value = "";
    }
  }

  // -- signed in ------------------------------------------------------------------------

  function me() {
    return ID.current();
  }

  function showLock() {
    $("unlock-panel").hidden = K.isUnlocked(me().account);
  }

  async function unlock(event) {
    event.preventDefault();
    busy("unlock-status", "Unlocking…");
    try {
      await K.unlock(me().account, $("unlock-pin").value);
      say("unlock-status", true, "Unlocked.");
    } catch (err) {
      say("unlock-status", false, err.message === "wrong passphrase" ? "Wrong PIN." : err.message);
    } finally {
      $("unlock-pin").value = "";
      showLock();
    }
  }

  function showView() {
    const name = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "overview";
    for (const view of VIEWS) $(view).hidden = view !== name;
    for (const link of document.querySelectorAll("nav.tabs a")) {
      if (link.getAttribute("href") === "#" + name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    ({ devices: loadDevices, guardians: loadGuardians, credentials: loadCredentials, sessions: loadSessions }[name] || (() => {}))();
  }

  async function accountInfo() {
    return (await T.api("/v1/query/tonomy/account", { json: { name: me().account } })).result;
  }

  async function loadDevices() {
    const list = $("device-list");
    try {
      const active = (await accountInfo()).permissions.find((p) => p.name === "active").authority;
      const mine = K.publicKey(me().account);
      list.replaceChildren(...active.keys.map((entry, index) => {
        const here = entry.key.$bytes === mine;
        const item = el("li", { class: "row" }, [el("span", { text: here ? "This browser" : "Another device (" + (index + 1) + ")" })]);
        if (!here) {
          const button = el("button", { type: "button", class: "plain", text: "Remove", "aria-label": "Remove another device (" + (index + 1) + ")" });
          button.addEventListener("click", () => removeDevice(entry.key.$bytes, active));
          item.append(button);
        }
        return item;
      }));
    } catch (err) {
      say("devices-status", false, "Devices cannot be read: " + err.message);
    }
  }

  // Sign actions as <account>@owner with the passphrase typed in the view ("devices" or
  // "guardians"), report in its status line, clear the field and reload the view.
  async function asOwner(view, texts, actionsFor) {
    const field = $(view + "-passphrase");
    busy(view + "-status", texts.busy);
    try {
      await ID.runAsOwner(me().account, field.value, await actionsFor(me().account, field.value));
      say(view + "-status", true, texts.ok);
    } catch (err) {
      say(view + "-status", false, texts.failed + ": " + err.message);
    } finally {
      field.value = "";
      (view === "devices" ? loadDevices : loadGuardians)();
    }
  }

  function removeDevice(keyHex, active) {
    const keys = active.keys.map((k) => k.key.$bytes).filter((k) => k !== keyHex);
    const authority = Object.assign(ID.keyAuthority(keys), { accounts: active.accounts, waits: active.waits });
    return asOwner("devices", { busy: "Removing the device…", ok: "The device was removed.", failed: "Not removed" }, async (account) => [
      { plugin: "tonomy", name: "updateauth", data: { account: account, permission: "active", parent: "owner", authority: authority } },
    ]);
  }

  async function loadGuardians() {
    const box = $("guardian-current");
    try {
      const state = (await T.api("/v1/query/identity/recovery", { json: { account: me().account } })).result;
      const guardians = state && state.guardians;
      if (!guardians) {
        box.replaceChildren(el("p", { text: "You have no guardians yet." }));
        return;
      }
      const days = Math.round(guardians.delay_s / 86400);
      box.replaceChildren(
        el("p", { text: "Your guardians: " + guardians.guardians.join(", ") + ". " + guardians.threshold + " of them must agree; a recovery waits " + days + " day(s)." }),
      );
      if (state.pending) {
        const stop = el("button", { type: "button", id: "stop-recovery", text: "Stop this recovery" });
        stop.addEventListener("click", stopRecovery);
        box.append(
          el("p", { class: "bad", text: "Someone started to recover your ID through your guardians (" + state.pending.approvals.join(", ") + " agreed so far). If it is not you, enter your recovery passphrase below and stop it." }),
          stop,
        );
      }
    } catch (err) {
      box.replaceChildren(el("p", { class: "bad", text: "Guardians cannot be read: " + err.message }));
    }
  }

  function stopRecovery() {
    return asOwner("guardians", { busy: "Stopping the recovery…", ok: "The recovery is stopped. Your ID stays yours.", failed: "Not stopped" },
      async (account) => [{ plugin: "identity", name: "cancel_recovery", data: { account: account } }]);
  }

  function saveGuardians(event) {
    event.preventDefault();
    const names = $("guardian-names").value.split(",").map((n) => n.trim().toLowerCase()).filter(Boolean).sort();
    const threshold = Number($("guardian-threshold").value);
    const delay = Number($("guardian-delay").value) * 86400;
    return asOwner("guardians", { busy: "Saving your guardians…", ok: "Your guardians are saved.", failed: "Not saved" }, async (account, passphrase) => {
      if (!names.length || threshold < 1 || threshold > names.length) throw new Error("choose at least as many guardians as must agree");
      const seed = await ID.ownerSeed(account, passphrase);
      const ownerKey = await K.publicKeyOf(seed);
      seed.fill(0);
      // Owner = the owner key, or the identity plugin once a recovery completes (identity README, section 4).
      const ownerAuthority = { threshold: 1, keys: [{ key: { $bytes: ownerKey }, weight: 1 }], accounts: [{ actor: "tonomy.code", permission: "identity", weight: 1 }], waits: [] };
      return [
        { plugin: "tonomy", name: "updateauth", data: { account: account, permission: "owner", parent: null, authority: ownerAuthority } },
        { plugin: "identity", name: "set_guardians", data: { account: account, guardians: names, threshold: threshold, delay_s: delay } },
      ];
    });
  }

  async function loadCredentials() {
    const list = $("issuer-list");
    try {
      const issuers = (await T.api("/v1/query/identity/trusted_issuers", { json: {} })).result;
      list.replaceChildren(...(issuers.length ? issuers.map((name) => el("li", { text: name })) : [el("li", { text: "None yet: the network decides by vote." })]));
    } catch (err) {
      list.replaceChildren(el("li", { class: "bad", text: "Issuers cannot be read: " + err.message }));
    }
  }

  async function sessionRow(app) {
    const [session, record] = await Promise.all([
      T.api("/v1/query/identity/session", { json: { account: me().account, app: app } }),
      T.api("/v1/query/identity/app", { json: { app: app } }),
    ]);
    const s = session.result;
    if (!s) return null;
    const head = await T.api("/v1/health");
    const live = !s.revoked && s.expires_ms > head.head_time;
    const name = record.result ? record.result.name + " (" + record.result.origin + ")" : app;
    const cells = [
      el("td", { text: name }), el("td", { text: s.scopes.length ? s.scopes.map(ID.scopeText).join("; ") : "know who you are" }),
      el("td", { text: T.timeText(s.expires_ms) }), el("td", { text: s.revoked ? "Revoked" : live ? "Active" : "Expired" }),
    ];
    const action = el("td");
    if (live) {
      const button = el("button", { type: "button", class: "plain", text: "Revoke", "aria-label": "Revoke " + name });
      button.addEventListener("click", () => revoke(app));
      action.append(button);
    }
    return el("tr", { "data-app": app }, [...cells, action]);
  }

  async function loadSessions() {
    try {
      const rows = (await Promise.all(me().apps.map(sessionRow))).filter(Boolean);
      $("session-list").replaceChildren(...rows);
      if (!rows.length) $("sessions-status").textContent = "No app sessions yet.";
    } catch (err) {
      say("sessions-status", false, "Sessions cannot be read: " + err.message);
    }
  }

  async function revoke(app) {
    if (!K.isUnlocked(me().account)) return say("sessions-status", false, "Unlock with your PIN first.");
    busy("sessions-status", "Revoking…");
    try {
      await S.run("browser:" + me().account, [{ plugin: "identity", name: "revoke_session", data: { account: me().account, app: app } }]);
      say("sessions-status", true, "Revoked: the app can no longer act for you.");
    } catch (err) {
      say("sessions-status", false, "Not revoked: " + err.message);
    }
    loadSessions();
  }

  async function lookupSession(event) {
    event.preventDefault();
    const app = $("session-app").value.trim();
    try {
      if (!(await sessionRow(app))) return say("sessions-status", false, "You have no session with " + app + ".");
      ID.rememberApp(app);
      $("session-app").value = "";
      loadSessions();
    } catch (err) {
      say("sessions-status", false, "Not found: " + err.message);
    }
  }

  function showIdentity() {
    if (window.TonomyRecovery.showHelp()) {
      $("welcome").hidden = true;
      $("me").hidden = true;
      return;
    }
    const id = me();
    $("welcome").hidden = Boolean(id);
    $("me").hidden = !id;
    if (!id) return;
    $("me-username").textContent = id.username;
    $("me-account").textContent = id.account;
    showLock();
    showView();
  }

  function start() {
    if (!K.available()) {
      say("create-status", false, "Tonomy ID needs a secure page (HTTPS, or a node on this machine).");
      $("create-continue").disabled = true;
    }
    $("create-form").addEventListener("submit", continueCreate);
    $("confirm-form").addEventListener("submit", createIdentity);
    $("restore-form").addEventListener("submit", restore);
    $("unlock-form").addEventListener("submit", unlock);
    $("guardians-form").addEventListener("submit", saveGuardians);
    $("session-lookup").addEventListener("submit", lookupSession);
    $("forget-button").addEventListener("click", () => {
      ID.forget();
      showIdentity();
    });
    window.addEventListener("hashchange", () => {
      if (window.TonomyRecovery.isHelp() || $("help").hidden === false) {
        showIdentity();
      } else if (me()) {
        showView();
        const target = document.getElementById(location.hash.slice(1));
        if (target) target.focus();
      }
    });
    window.TonomyRecovery.finishIfRecovered().then(showIdentity);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
