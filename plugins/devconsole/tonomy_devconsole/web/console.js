// The Developer Console: an owner's apps, their login settings and usage, read from the identity plugin's queries.
// Read-only: changes are transactions signed by the owner (`tonomy dev ...`). Addresses: #owner/<account>[/app/<app>].
"use strict";

(function () {
  const T = window.Tonomy;
  const el = T.el;
  const ACCOUNT = /^[a-z][a-z0-9.\-]{1,30}[a-z0-9]$/;
  const DAY_MS = 86400000;

  function query(name, params) {
    return T.api("/v1/query/identity/" + name, { json: params }).then((answer) => answer.result);
  }

  function list(values) {
    return values && values.length ? values.join(", ") : "none";
  }

  function dayText(day) {
    return new Date(day * DAY_MS).toISOString().slice(0, 10);
  }

  async function showOwner(owner, openApp) {
    const status = document.getElementById("apps-status");
    const body = document.getElementById("apps");
    const caption = document.getElementById("apps-caption");
    document.getElementById("owner").value = owner;
    if (!ACCOUNT.test(owner)) {
      status.textContent = "That is not an account name.";
      return;
    }
    status.textContent = "Reading the apps of " + owner + "…";
    try {
      const apps = await query("apps_of", { owner: owner });
      const rows = [];
      for (const app of apps) {
        const record = await query("app", { app: app });
        const usage = await query("app_usage", { app: app, days: 1 });
        const open = el("button", { type: "button", class: "link", "data-app": app, text: record.name + " (" + app + ")" });
        open.addEventListener("click", () => { location.hash = "#owner/" + owner + "/app/" + app; });
        const today = usage.days[usage.days.length - 1];
        rows.push(el("tr", { "data-app": app }, [
          el("th", { scope: "row" }, [open]),
          el("td", { class: "mono", text: record.origins.join(" ") }),
          el("td", { class: "num", text: String(record.key_version) }),
          el("td", { class: "num", text: String(usage.totals.logins) }),
          el("td", { class: "num", text: String(usage.totals.transactions) }),
          el("td", { class: "num", text: String(usage.totals.users) }),
          el("td", { class: "num", text: String(today.active_users) }),
        ]));
      }
      body.replaceChildren(...rows);
      caption.textContent = apps.length ? "Apps owned by " + owner + "." : owner + " owns no apps.";
      status.textContent = apps.length + (apps.length === 1 ? " app." : " apps.");
      if (openApp) await showApp(openApp);
      else document.getElementById("detail").hidden = true;
    } catch (err) {
      body.replaceChildren();
      status.textContent = "The apps cannot be read: " + err.message;
    }
  }

  async function showApp(app) {
    const record = await query("app", { app: app });
    const section = document.getElementById("detail");
    if (!record) {
      section.hidden = true;
      return;
    }
    const usage = await query("app_usage", { app: app, days: 7 });
    const title = document.getElementById("detail-title");
    title.textContent = record.name + " (" + app + ")";
    document.getElementById("detail-description").textContent = record.description || "No description.";
    const logo = document.getElementById("detail-logo");
    if (/^data:image\/(png|jpeg|webp);base64,/.test(record.logo)) {
      logo.src = record.logo;
      logo.alt = record.name + " logo";
      logo.hidden = false;
    } else {
      logo.hidden = true;
      logo.removeAttribute("src");
    }
    const facts = [
      ["Owner", record.owner],
      ["Origins", record.origins.join(" ")],
      ["Redirect URIs", record.redirect_uris.join(" ")],
      ["May act on", list(record.scopes)],
      ["May ask for credentials", list(record.credentials)],
      ["May ask for data", list(record.data_scopes)],
      ["Request key", "version " + record.key_version + " since block " + record.key_since_height +
        " (" + record.retired_keys.length + " retired)"],
      ["Logo", record.logo.startsWith("blake3:") ? record.logo : (record.logo ? "stored on chain" : "none")],
    ];
    const list_ = document.getElementById("detail-facts");
    list_.replaceChildren(...facts.flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })]));
    document.getElementById("usage").replaceChildren(...usage.days.map((day) => el("tr", {}, [
      el("th", { scope: "row", text: dayText(day.day) }),
      el("td", { class: "num", text: String(day.logins) }),
      el("td", { class: "num", text: String(day.transactions) }),
      el("td", { class: "num", text: String(day.active_users) }),
    ])));
    section.hidden = false;
    title.focus();
  }

  function route() {
    const match = /^#owner\/([^/]+)(?:\/app\/([^/]+))?$/.exec(location.hash);
    if (match) showOwner(decodeURIComponent(match[1]), match[2] ? decodeURIComponent(match[2]) : null);
  }

  document.getElementById("owner-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const owner = document.getElementById("owner").value.trim();
    if (location.hash === "#owner/" + owner) route();
    else location.hash = "#owner/" + owner;
  });
  window.addEventListener("hashchange", route);
  route();
})();
