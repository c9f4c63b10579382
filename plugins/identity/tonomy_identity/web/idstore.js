// Tonomy ID in this browser: which identity lives here, and the keys behind it.
//
// * localStorage "tonomy.id.v1" = {account, username, apps}: no secret (the username is
//   private on the network, not from the device's own user).
// * The device key (the account's `active`): random, made here, kept by /web/keystore.js
//   encrypted under the PIN (PBKDF2 600,000 + AES-GCM); unlocked per page.
// * The owner key: derived from the recovery passphrase each time it is needed
//   (PBKDF2-SHA-256, 600,000 iterations, salt bound to the account), used for one
//   transaction and dropped. It is never stored anywhere.
"use strict";

window.TonomyID = (function () {
  const T = window.Tonomy;
  const K = window.TonomyKeys;
  const STORE = "tonomy.id.v1";
  const LETTERS = "abcdefghijklmnopqrstuvwxyz";
  const NAME_CHARS = "abcdefghijklmnopqrstuvwxyz234567";

  function current() {
    try {
      const doc = JSON.parse(localStorage.getItem(STORE) || "null");
      return doc && typeof doc.account === "string" && K.accounts().includes(doc.account) ? doc : null;
    } catch (err) {
      return null;
    }
  }

  function save(doc) {
    localStorage.setItem(STORE, JSON.stringify(doc));
  }

  function forget() {
    const doc = current();
    if (doc) K.forget(doc.account);
    localStorage.removeItem(STORE);
  }

  function rememberApp(app) {
    const doc = current();
    if (doc && !doc.apps.includes(app)) {
      doc.apps.push(app);
      save(doc);
    }
  }

  function randomText(alphabet, count) {
    // Rejection sampling: no modulo bias.
    const out = [];
    const limit = 256 - (256 % alphabet.length);
    while (out.length < count) {
      for (const byte of crypto.getRandomValues(new Uint8Array(count * 2))) {
        if (byte < limit && out.length < count) out.push(alphabet[byte % alphabet.length]);
      }
    }
    return out.join("");
  }

  // Six groups of four letters: about 113 bits, easy to write down and type.
  function newPassphrase() {
    return randomText(LETTERS, 24).match(/.{4}/g).join("-");
  }

  function normalPassphrase(text) {
    return String(text).toLowerCase().replace(/[^a-z]/g, "");
  }

  // The account name people never need to see: "id" and 12 random characters.
  function newAccountName() {
    return "id" + randomText(NAME_CHARS, 12);
  }

  async function ownerSeed(account, passphrase) {
    const normal = normalPassphrase(passphrase);
    if (normal.length < 24) throw new Error("that is not a recovery passphrase");
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(normal), "PBKDF2", false, ["deriveBits"]);
    const salt = new TextEncoder().encode("tonomy/id/owner-key/v1\n" + account);
    const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: 600000 }, material, 256);
    return new Uint8Array(bits);
  }

  function keyAuthority(publicKeysHex) {
    const keys = Array.from(new Set(publicKeysHex)).sort().map((hex) => ({ key: { $bytes: hex }, weight: 1 }));
    return { threshold: 1, keys: keys, accounts: [], waits: [] };
  }

  // Run actions as <account>@owner, signed by the key the passphrase derives; the seed is wiped after.
  async function runAsOwner(account, passphrase, actions) {
    const seed = await ownerSeed(account, passphrase);
    try {
      const info = await T.api("/v1/query/tonomy/account", { json: { name: account } });
      const owner = (info.result.permissions.find((p) => p.name === "owner") || {}).authority;
      const mine = await K.publicKeyOf(seed);
      if (!owner || !owner.keys.some((k) => k.key.$bytes === mine)) throw new Error("this passphrase does not belong to this ID");
      const nonce = crypto.getRandomValues(new Uint32Array(1))[0];
      const unsigned = await T.api("/v1/transactions/unsigned", {
        json: { actions: actions.map((a) => Object.assign({ authorization: [account + "@owner"] }, a)), nonce: nonce },
      });
      const signature = await K.signWithSeed(seed, unsigned.id);
      const submitted = await T.api("/v1/transactions/signed", { json: { body: unsigned.body, signatures: [signature] } });
      return await window.TonomySigner.settle(submitted);
    } finally {
      seed.fill(0);
    }
  }

  // What an app may do for the user, in words ("plugin.action" scopes of Login with Tonomy).
  const SCOPES = {
    "pay.transfer": "send payments from your account",
    "dao.vote": "vote in your DAOs",
    "dao.propose": "make proposals in your DAOs",
    "governance.vote": "vote on network proposals",
  };

  function scopeText(scope) {
    const [plugin, action] = String(scope).split(".");
    return SCOPES[scope] || "use “" + String(action).replace(/_/g, " ") + "” in " + plugin;
  }

  async function chainId() {
    return (await T.api("/v1/health")).chain_id;
  }

  async function lookupUsername(username) {
    const answer = await T.api("/v1/query/identity/username_hash", {
      json: { username: username, chain_id: { $bytes: await chainId() } },
    });
    return answer.result;
  }

  return { scopeText, current, save, forget, rememberApp, newPassphrase, newAccountName, ownerSeed, keyAuthority, runAsOwner, lookupUsername };
})();
