// The browser keystore: keys encrypted with a passphrase at rest, unlocked per page session.
//
// At rest (localStorage "tonomy.keys.v1"): per account, the Ed25519 seed encrypted with
// AES-256-GCM under a key derived from the passphrase by PBKDF2-SHA-256 (600,000
// iterations, 16-byte random salt, 12-byte random IV); the account name and public key
// are bound as associated data, so a blob cannot be moved to another account unnoticed.
// Unlocked: a non-extractable WebCrypto Ed25519 key held in this page's memory only;
// the decrypted seed bytes are overwritten once imported. Nothing plaintext is stored.
"use strict";

window.TonomyKeys = (function () {
  const STORE = "tonomy.keys.v1";
  const ITERATIONS = 600000;
  const PKCS8_ED25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  const ACCOUNT = /^[a-z][a-z0-9._-]{0,63}$/;
  const unlocked = new Map(); // account -> { key: CryptoKey, publicKey: Uint8Array }

  function available() {
    return Boolean(window.isSecureContext && window.crypto && window.crypto.subtle);
  }

  function hexToBytes(hex) {
    if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/.test(hex)) throw new Error("not lowercase hex");
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }

  function bytesToHex(bytes) {
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function load() {
    try {
      const doc = JSON.parse(localStorage.getItem(STORE) || "{}");
      return doc && typeof doc === "object" ? doc : {};
    } catch (err) {
      return {};
    }
  }

  function save(doc) {
    localStorage.setItem(STORE, JSON.stringify(doc));
  }

  function accounts() {
    return Object.keys(load()).filter((name) => ACCOUNT.test(name)).sort();
  }

  function aad(account, publicKeyHex) {
    return new TextEncoder().encode("tonomy/browser-key/v1\n" + account + "\n" + publicKeyHex);
  }

  async function wrappingKey(passphrase, salt) {
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: ITERATIONS },
      material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"],
    );
  }

  async function signingKey(seed) {
    const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
    pkcs8.set(PKCS8_ED25519_PREFIX);
    pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
    try {
      return await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
    } finally {
      pkcs8.fill(0);
    }
  }

  // The seed must belong to the public key: sign a probe and verify it with the public key.
  async function checkPair(key, publicKey) {
    const probe = crypto.getRandomValues(new Uint8Array(32));
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, key, probe);
    const verifier = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, verifier, signature, probe))) {
      throw new Error("the key file's seed does not match its public key");
    }
  }

  // Encrypt `seed` under `secret` and store it for `account` (the caller checked the pair).
  async function storeSeed(account, seed, publicKeyHex, secret) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const wrapping = await wrappingKey(secret, salt);
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: iv, additionalData: aad(account, publicKeyHex) }, wrapping, seed,
    );
    const store = load();
    store[account] = {
      v: 1, account: account, public_key: publicKeyHex,
      kdf: { name: "PBKDF2", hash: "SHA-256", iterations: ITERATIONS, salt: bytesToHex(salt) },
      cipher: { name: "AES-GCM", iv: bytesToHex(iv) }, ciphertext: bytesToHex(ciphertext),
    };
    save(store);
  }

  // Import a `tonomy keys new` file: check it, encrypt the seed with the passphrase, store.
  async function importKeyFile(text, passphrase, accountOverride) {
    if (!available()) throw new Error("this page needs a secure context (HTTPS or this machine) to hold keys");
    if (typeof passphrase !== "string" || passphrase.length < 8) throw new Error("choose a passphrase of at least 8 characters");
    let doc;
    try { doc = JSON.parse(text); } catch (err) { throw new Error("this is not a key file (not JSON)"); }
    if (!doc || doc.kind !== "tonomy/ed25519-key/v1") throw new Error("this is not a Tonomy key file");
    const account = accountOverride || doc.account;
    if (typeof account !== "string" || !ACCOUNT.test(account)) throw new Error("the key file names no valid account");
    const seed = hexToBytes(doc.seed);
    const publicKey = hexToBytes(doc.public_key);
    if (seed.length !== 32 || publicKey.length !== 32) throw new Error("the key file's key has the wrong size");
    try {
      await checkPair(await signingKey(seed), publicKey);
      await storeSeed(account, seed, doc.public_key, passphrase);
    } finally {
      seed.fill(0);
    }
    return account;
  }

  // The public key (hex) of a seed, through a short-lived extractable import (JWK "x").
  async function publicKeyOf(seed) {
    const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
    pkcs8.set(PKCS8_ED25519_PREFIX);
    pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
    try {
      const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
      const jwk = await crypto.subtle.exportKey("jwk", key);
      const b64 = jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "=";
      return bytesToHex(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    } finally {
      pkcs8.fill(0);
    }
  }

  // A key made on this device (Tonomy ID onboarding): store it under `secret` (a PIN or passphrase of 6+).
  async function addSeed(account, seed, secret) {
    if (!available()) throw new Error("this page needs a secure context (HTTPS or this machine) to hold keys");
    if (typeof account !== "string" || !ACCOUNT.test(account)) throw new Error("not a valid account name");
    if (typeof secret !== "string" || secret.length < 6) throw new Error("choose a PIN of at least 6 digits");
    const publicKeyHex = await publicKeyOf(seed);
    await storeSeed(account, seed, publicKeyHex, secret);
    return publicKeyHex;
  }

  // Sign one id with a seed held only for this call (the owner key derived from a passphrase).
  async function signWithSeed(seed, idHex) {
    const key = await signingKey(seed);
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, key, hexToBytes(idHex));
    return { public_key: await publicKeyOf(seed), signature: bytesToHex(signature) };
  }

  function publicKey(account) {
    const blob = load()[account];
    return blob && blob.v === 1 ? blob.public_key : null;
  }

  async function unlock(account, passphrase) {
    const blob = load()[account];
    if (!blob || blob.v !== 1) throw new Error("no key for " + account + " in this browser");
    if (blob.kdf.iterations < ITERATIONS) throw new Error("this key's protection is too weak; import it again");
    const wrapping = await wrappingKey(passphrase, hexToBytes(blob.kdf.salt));
    let seed;
    try {
      seed = new Uint8Array(await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: hexToBytes(blob.cipher.iv), additionalData: aad(account, blob.public_key) },
        wrapping, hexToBytes(blob.ciphertext),
      ));
    } catch (err) {
      throw new Error("wrong passphrase");
    }
    try {
      const key = await signingKey(seed);
      const publicKey = hexToBytes(blob.public_key);
      await checkPair(key, publicKey);
      unlocked.set(account, { key: key, publicKey: publicKey });
    } finally {
      seed.fill(0);
    }
  }

  function isUnlocked(account) {
    return unlocked.has(account);
  }

  function lock(account) {
    unlocked.delete(account);
  }

  function forget(account) {
    unlocked.delete(account);
    const store = load();
    delete store[account];
    save(store);
  }

  // Sign a transaction id (hex); returns {public_key, signature} in hex.
  async function sign(account, idHex) {
    const entry = unlocked.get(account);
    if (!entry) throw new Error("unlock " + account + " first");
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, entry.key, hexToBytes(idHex));
    return { public_key: bytesToHex(entry.publicKey), signature: bytesToHex(signature) };
  }

  return { available, accounts, importKeyFile, addSeed, publicKeyOf, publicKey, signWithSeed, unlock, isUnlocked, lock, forget, sign, hexToBytes, bytesToHex };
})();
