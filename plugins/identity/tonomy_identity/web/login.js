// Login consent (/id/login?request=<base64url>): check the app's request, show who asks for
// what, and on consent sign the login with the device key and go back to the app.
//
// The origin the request came from is what the browser reports as the referring page
// (document.referrer), never a value in the URL: a page elsewhere cannot claim to be the app.
// When the browser reports none, the request's own origin stands in (docs/sdk.md): the
// answer can only go to a registered redirect URI of that app. Until the request checks
// out, nothing sends the browser anywhere.
"use strict";

(function () {
  const T = window.Tonomy;
  const K = window.TonomyKeys;
  const S = window.TonomySigner;
  const ID = window.TonomyID;
  const el = T.el;
  const $ = (id) => document.getElementById(id);
  let consent = null;
  let requestParam = "";

  function observedOrigin() {
    try {
      return document.referrer ? new URL(document.referrer).origin : "";
    } catch (err) {
      return "";
    }
  }

  function lengthText(seconds) {
    const days = seconds / 86400;
    if (days >= 1) return Math.round(days) + (Math.round(days) === 1 ? " day" : " days");
    const hours = Math.max(1, Math.round(seconds / 3600));
    return hours + (hours === 1 ? " hour" : " hours");
  }

  function backTo(params) {
    const target = new URL(consent.redirect_uri);
    for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
    location.assign(target.toString());
  }

  async function check() {
    const status = $("login-check");
    requestParam = new URLSearchParams(location.search).get("request") || "";
    const origin = observedOrigin();
    try {
      if (!requestParam) throw new Error("there is no login request in this address");
      const health = await T.api("/v1/health");
      const answer = await T.api("/v1/query/identity/login_consent", {
        json: { request: requestParam, observed_origin: origin, chain_id: { $bytes: health.chain_id } },
      });
      consent = answer.result;
    } catch (err) {
      status.className = "bad";
      status.textContent = "This login request cannot be used: " + err.message;
      return;
    }
    status.textContent = "";
    $("consent-app").textContent = consent.app_name;
    $("consent-origin").textContent = consent.origin;
    const me = ID.current();
    $("consent-as").textContent = me ? " as " + me.username : "";
    $("consent-scopes").replaceChildren(...(consent.scopes.length ? consent.scopes.map((s) => el("li", { text: ID.scopeText(s) })) : [el("li", { text: "nothing: only know who you are" })]));
    const shares = consent.credentials.concat(consent.data_scopes.map((name) => "your " + name.replace(/_/g, " ")));
    $("consent-shares").replaceChildren(...shares.map((text) => el("li", { text: text })));
    $("consent-shares-box").hidden = !shares.length;
    $("consent-length").textContent = lengthText(consent.session_ttl_s);
    $("consent-unobserved").hidden = consent.origin_observed;
    $("consent").hidden = false;
    if (!me) {
      $("no-id").hidden = false;
      $("approve").disabled = true;
    }
    $("login-pin-label").hidden = !me || K.isUnlocked(me.account);
    $("approve").focus();
  }

  async function approve(event) {
    event.preventDefault();
    const me = ID.current();
    const status = $("login-status");
    const button = $("approve");
    button.disabled = true;
    status.className = "status";
    status.textContent = "Logging you in…";
    try {
      if (!K.isUnlocked(me.account)) {
        try {
          await K.unlock(me.account, $("login-pin").value);
        } catch (err) {
          throw new Error(err.message === "wrong passphrase" ? "wrong PIN" : err.message);
        } finally {
          $("login-pin").value = "";
        }
      }
      const done = await S.run("browser:" + me.account, [{
        plugin: "identity", name: "login",
        data: { account: me.account, request: consent.signed_request, request_signature: consent.request_signature },
      }]);
      const base = { account: me.account, request: requestParam, login_tx: { $bytes: done.id } };
      const digest = (await T.api("/v1/query/identity/login_response_digest", { json: base })).result.digest.$bytes;
      const signature = await K.sign(me.account, digest);
      const answer = (await T.api("/v1/query/identity/login_response", {
        json: Object.assign({}, base, { public_key: { $bytes: signature.public_key }, signature: { $bytes: signature.signature } }),
      })).result;
      ID.rememberApp(consent.app);
      status.className = "ok";
      status.textContent = "Logged in. Going back to " + consent.app_name + "…";
      backTo({ response: answer.response });
    } catch (err) {
      status.className = "bad";
      status.textContent = "Not logged in: " + err.message;
      button.disabled = false;
    }
  }

  function refuse() {
    if (consent) backTo({ error: "access_denied" });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("consent-form").addEventListener("submit", approve);
    $("refuse").addEventListener("click", refuse);
    check();
  });
})();
