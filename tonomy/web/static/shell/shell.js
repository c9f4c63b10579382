// The shell: navigation from the node's page list, and small helpers every page shares.
// Plain JavaScript, nothing loaded from elsewhere (the node's CSP forbids it anyway).
"use strict";

window.Tonomy = (function () {
  class ApiError extends Error {
    constructor(status, problem) {
      super(problem && problem.detail ? problem.detail : "The node answered " + status);
      this.status = status;
      this.code = problem && problem.code ? problem.code : "client.error";
    }
  }

  // Every JSON call to the node; problem documents become ApiError with the stable code.
  async function api(path, options) {
    const init = Object.assign({ headers: {} }, options || {});
    if (init.json !== undefined) {
      init.method = init.method || "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(init.json);
      delete init.json;
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, { code: "client.error", detail: "The node cannot be reached." });
    }
    const text = await response.text();
    let doc = null;
    try { doc = text ? JSON.parse(text) : null; } catch (err) { doc = null; }
    if (!response.ok) throw new ApiError(response.status, doc);
    return doc;
  }

  // Integer base units -> "1,234.5" with the token's decimals (BigInt: no float rounding).
  function formatAmount(units, decimals) {
    const negative = BigInt(units) < 0n;
    let digits = (negative ? -BigInt(units) : BigInt(units)).toString().padStart(decimals + 1, "0");
    const whole = digits.slice(0, digits.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const frac = decimals ? digits.slice(digits.length - decimals).replace(/0+$/, "") : "";
    return (negative ? "-" : "") + whole + (frac ? "." + frac : "");
  }

  // "12.5" -> base units as a BigInt, or null when the text is not an amount with at most `decimals`.
  function parseAmount(text, decimals) {
    const match = /^\s*(\d{1,30})(?:\.(\d+))?\s*$/.exec(String(text).replace(/,/g, ""));
    if (!match) return null;
    const frac = match[2] || "";
    if (frac.length > decimals) return null;
    return BigInt(match[1] + frac.padEnd(decimals, "0"));
  }

  // An encoded record ({"$bytes": hex}, as the node sends event data and record fields) back
  // to a value: the record codec is canonical JSON, so a page can read it without help.
  function decodeRecord(field) {
    const hex = field && field.$bytes;
    if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/.test(hex)) throw new Error("not an encoded record");
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function timeText(ms) {
    return new Date(Number(ms)).toLocaleString();
  }

  async function renderShell() {
    const header = document.querySelector("[data-shell-header]");
    let pages = [];
    try {
      pages = (await api("/v1/web/pages")).pages;
    } catch (err) {
      pages = [];
    }
    if (header) {
      const list = el("ul");
      for (const page of pages) {
        const link = el("a", { href: page.url, text: page.nav_label, title: page.title });
        if (location.pathname === page.url || location.pathname === page.url.replace(/index\.html$/, "")) {
          link.setAttribute("aria-current", "page");
        }
        list.append(el("li", {}, [link]));
      }
      header.replaceChildren(el("a", { class: "brand", href: "/", text: "Tonomy" }), el("nav", { "aria-label": "Apps" }, [list]));
    }
    const cards = document.querySelector("[data-app-cards]");
    if (cards) {
      for (const page of pages) {
        const link = el("a", { href: page.url }, [el("strong", { text: page.nav_label }), page.title]);
        cards.append(el("li", {}, [link]));
      }
    }
    const status = document.querySelector("[data-network-status]");
    if (status) {
      try {
        const health = await api("/v1/health");
        status.textContent = health.producing ? "The network is running." : "Connected (read only).";
        status.className = "status ok";
      } catch (err) {
        status.textContent = "The network cannot be reached right now.";
        status.className = "status bad";
      }
    }
  }

  document.addEventListener("DOMContentLoaded", renderShell);
  return { api, ApiError, formatAmount, parseAmount, decodeRecord, el, timeText };
})();
