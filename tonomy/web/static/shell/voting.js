// What the voting pages (Gov, DAOs) share: durations in people's time, proposals by id,
// plain words for proposal states, and encoding records the page cannot encode itself.
//
// Chains count time in blocks; people count in minutes. The pages measure the recent
// average block interval and convert both ways, so no page shows a block number.
"use strict";

window.TonomyVoting = (function () {
  const T = window.Tonomy;
  const SAMPLE = 20;
  let measured = null;

  // Average milliseconds between the last SAMPLE blocks (1 s when the chain is too young).
  async function blockMs() {
    if (measured !== null) return measured;
    const head = (await T.api("/v1/blocks/head")).header;
    const back = Math.max(1, head.height - SAMPLE);
    if (head.height - back < 2) return (measured = 1000);
    const old = (await T.api("/v1/blocks/" + back)).header;
    measured = Math.max(1, Math.round((head.time - old.time) / (head.height - back)));
    return measured;
  }

  async function toBlocks(seconds) {
    return Math.max(1, Math.round((seconds * 1000) / (await blockMs())));
  }

  function durationText(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 1) return "a moment";
    if (s === 1) return "1 second";
    if (s < 90) return s + " seconds";
    if (s < 5400) return Math.round(s / 60) + " minutes";
    if (s < 129600) return Math.round(s / 3600) + " hours";
    return Math.round(s / 86400) + " days";
  }

  // <option>s of a duration select (value: seconds).
  function fillDurations(select) {
    const choices = [[5, "5 seconds (try it out)"], [300, "5 minutes"], [3600, "1 hour"], [86400, "1 day"], [604800, "1 week"]];
    select.replaceChildren(...choices.map(([seconds, label]) => T.el("option", { value: String(seconds), text: label })));
  }

  // "in about 3 minutes" / "about 3 minutes ago" for a height, from the head.
  async function whenText(height) {
    const head = (await T.api("/v1/health")).height;
    const ms = (height - head) * (await blockMs());
    return ms >= 0 ? "in about " + durationText(ms) : "about " + durationText(-ms) + " ago";
  }

  const STATES = {
    pending: "Voting has not started",
    active: "Voting now",
    no_quorum: "Not enough votes",
    vetoed: "Vetoed",
    rejected: "Rejected",
    queued: "Approved, waiting before it can run",
    executable: "Approved, ready to run",
    expired: "Approved but expired",
    executed: "Done",
    cancelled: "Cancelled",
    council_vetoed: "Stopped by the council",
  };

  function stateText(state) {
    return STATES[state] || state;
  }

  // The newest proposals of a plugin's `proposal` query. Ids are dense from 1 in one
  // sequence, which a DAO may share with the network's governance (DAOs on the governance
  // engine): an id exists if either query knows it. Find the last id by galloping then
  // halving (about 2·log2(n) look-ups), then read back at most `scan` ids, keeping up to
  // `limit` that `keep` accepts.
  async function proposals(plugin, keep, limit, scan) {
    const get = async (owner, id) => {
      try {
        return (await T.api("/v1/query/" + owner + "/proposal", { json: { id: id } })).result;
      } catch (err) {
        return null; // that plugin is not on this chain
      }
    };
    const exists = async (id) => (await get(plugin, id)) !== null || (plugin !== "governance" && (await get("governance", id)) !== null);
    if (!(await exists(1))) return [];
    let low = 1;
    let high = 2;
    while (await exists(high)) {
      low = high;
      high *= 2;
    }
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await exists(mid)) low = mid;
      else high = mid;
    }
    const found = [];
    for (let id = low; id >= 1 && id > low - (scan || 200) && found.length < (limit || 50); id--) {
      const p = await get(plugin, id);
      if (p && (!keep || keep(p))) found.push(p);
    }
    return found;
  }

  // A JSON value in the canonical record codec, as an action field ({"$bytes": hex}).
  async function encode(value) {
    return { $bytes: (await T.api("/v1/codec/encode", { json: { value: value } })).encoded };
  }

  // Refresh once the next proposal changes state (voting opens or closes, a timelock ends),
  // so people do not have to reload; one timer per page.
  let timer = null;
  async function refreshWhenDue(list, refresh) {
    const due = [];
    for (const p of list) {
      if (p.state === "pending") due.push(p.vote_start);
      else if (p.state === "active") due.push(p.vote_end + 1);
      else if (p.state === "queued") due.push(p.eta);
    }
    clearTimeout(timer);
    if (!due.length) return;
    const head = (await T.api("/v1/health")).height;
    const ms = (Math.min(...due) - head + 1) * (await blockMs());
    timer = setTimeout(refresh, Math.min(Math.max(ms, 500), 3600000));
  }

  return { blockMs, toBlocks, durationText, fillDurations, whenText, stateText, proposals, encode, decode: T.decodeRecord, refreshWhenDue };
})();
