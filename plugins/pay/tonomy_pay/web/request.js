// A payment request (/pay/request/<id>?return=<url>, docs/sdk.md): show who asks for how much,
// pay it from an account of this browser (or the devnet wallet), then go back to the app.
//
// The return URL is followed only when it is an https:// (or http://localhost) URL under a
// registered origin of the payee's app (Tonomy ID's app record), so this page is no open
// redirect. Going back proves nothing to the app: it checks the request on chain.
"use strict";

(function () {
  const T = window.Tonomy;
  const S = window.TonomySigner;
  const $ = (id) => document.getElementById(id);
  let request = null;
  let returnTo = null;
  let picker = null;

  function requestId() {
    const match = /^\/(?:pay\/request\/)([0-9]{1,20})$/.exec(location.pathname) || /^([0-9]{1,20})$/.exec(new URLSearchParams(location.search).get("id") || "");
    return match ? Number(match[1]) : null;
  }

  // The return URL if it is under the payee app's registered origin, else null.
  async function safeReturn(payee) {
    const text = new URLSearchParams(location.search).get("return");
    if (!text) return null;
    let url;
    try {
      url = new URL(text);
    } catch (err) {
      return null;
    }
    const local = url.protocol === "http:" && url.hostname === "localhost";
    if (url.protocol !== "https:" && !local) return null;
    const app = (await T.api("/v1/query/identity/app", { json: { app: payee } }).catch(() => ({ result: null }))).result;
    const origins = app ? (app.origins && app.origins.length ? app.origins : [app.origin]) : [];
    return origins.includes(url.origin) ? url : null;
  }

  function goBack() {
    if (!returnTo) return false;
    returnTo.searchParams.set("payment", String(request.id));
    location.assign(returnTo.toString());
    return true;
  }

  async function show() {
    const id = requestId();
    const check = $("request-check");
    try {
      if (id === null || id < 1) throw new Error("this address names no payment request");
      request = (await T.api("/v1/query/pay/request", { json: { id: id } })).result;
      if (!request) throw new Error("there is no payment request " + id);
      request.id = id;
    } catch (err) {
      check.className = "bad";
      check.textContent = "This request cannot be paid: " + err.message;
      return;
    }
    const token = (await T.api("/v1/query/pay/token", { json: { symbol: request.symbol } })).result;
    const app = (await T.api("/v1/query/identity/app", { json: { app: request.payee } }).catch(() => ({ result: null }))).result;
    returnTo = await safeReturn(request.payee);
    $("request-payee").textContent = app ? app.name + " (" + app.origin + ")" : request.payee;
    $("request-amount").textContent = T.formatAmount(request.amount, token ? Number(token.decimals) : 0) + " " + request.symbol;
    $("request-memo").textContent = request.memo ? "For: " + request.memo : "";
    $("request-state").textContent = { open: "waiting for payment", paid: "paid", cancelled: "cancelled", expired: "expired" }[request.status] || request.status;
    $("pay-button").disabled = request.status !== "open";
    check.textContent = "";
    $("request").hidden = false;
  }

  async function pay() {
    const status = $("request-status");
    $("pay-button").disabled = true;
    status.className = "status";
    status.textContent = "Paying…";
    try {
      await S.run(picker.value(), [{ plugin: "pay", name: "pay_request", data: { id: request.id, payer: picker.account() } }]);
      S.report(status, true, "Paid.");
      $("request-state").textContent = "paid";
      if (goBack()) status.textContent = "Paid. Going back…";
    } catch (err) {
      S.report(status, false, "Not paid: " + err.message);
      $("pay-button").disabled = false;
    }
  }

  function cancel() {
    if (!goBack()) S.report($("request-status"), true, "Not paid. You can close this page.");
  }

  document.addEventListener("DOMContentLoaded", () => {
    picker = S.mountPicker($("picker"), { label: "Pay from", id: "account" });
    picker.reload();
    $("pay-button").addEventListener("click", pay);
    $("cancel-button").addEventListener("click", cancel);
    show();
  });
})();
