// The intake page's quick entry at a border post with a bad connection. Each person typed gets an idempotency key at
// once (crypto.randomUUID) and goes into a queue in IndexedDB, sealed with AES-GCM under a key that cannot be exported
// and belongs to the person signed in; the queue is sent whenever the connection allows and each entry leaves it once the
// platform has acknowledged it (created, or already there: sending again never records anyone twice). Signing out
// deletes the database, key and all (console-sign-out.js). Without this script the form is an ordinary form.
(() => {
  "use strict";
  const form = document.getElementById("quick-entry");
  const status = document.getElementById("queue-status");
  if (!form || !window.indexedDB || !window.crypto || !crypto.subtle || !crypto.randomUUID) {
    return;
  }

  const DATABASE = "rn-intake";
  const owner = form.dataset.owner;
  const token = form.querySelector("input[name=__RequestVerificationToken]").value;
  let sending = false;
  let signedOut = false;
  let current;

  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

  const done = (transaction) => new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });

  function open() {
    if (signedOut) {
      return Promise.reject(new Error("signed out"));
    }

    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => {
      opening.result.createObjectStore("key", { keyPath: "id" });
      opening.result.createObjectStore("queue", { keyPath: "id" });
    };
    return request(opening).then((db) => {
      // Signing out deletes the database: let it go at once.
      db.onversionchange = () => db.close();
      if (signedOut) {
        db.close();
        throw new Error("signed out");
      }

      current = db;
      return db;
    });
  }

  // The person's key: made here the first time, never extractable. A key of another person (someone who left without
  // signing out) is not used: it and whatever it sealed are wiped.
  async function ownerKey(db) {
    const stored = await request(db.transaction("key").objectStore("key").get("owner"));
    if (stored && stored.owner === owner) {
      return stored.key;
    }

    const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    const transaction = db.transaction(["key", "queue"], "readwrite");
    transaction.objectStore("queue").clear();
    transaction.objectStore("key").put({ id: "owner", owner, key });
    await done(transaction);
    return key;
  }

  async function enqueue(entry) {
    const db = await open();
    try {
      const key = await ownerKey(db);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(entry.key) }, key,
        new TextEncoder().encode(JSON.stringify(entry)));
      const transaction = db.transaction("queue", "readwrite");
      transaction.objectStore("queue").put({ id: entry.key, iv, sealed });
      await done(transaction);
    } finally {
      db.close();
    }
  }

  async function queued(db) {
    const key = await ownerKey(db);
    const records = await request(db.transaction("queue").objectStore("queue").getAll());
    const entries = [];
    for (const record of records) {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv, additionalData: new TextEncoder().encode(record.id) }, key, record.sealed);
      entries.push(JSON.parse(new TextDecoder().decode(plain)));
    }

    return entries;
  }

  function say(template, count) {
    status.textContent = template.replace("{0}", String(count));
  }

  // Sends what is queued; entries stay until the platform has answered for them.
  async function send() {
    if (sending) {
      return;
    }

    sending = true;
    let db;
    try {
      db = await open();
      const entries = (await queued(db)).slice(0, 500);
      if (entries.length === 0) {
        return;
      }

      let response;
      try {
        response = await fetch(form.dataset.queue, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "RequestVerificationToken": token },
          body: JSON.stringify({ items: entries }),
        });
      } catch {
        say(form.dataset.textWaiting, entries.length);
        return;
      }

      if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("application/json")) {
        // Not an answer of the platform (a portal, a lost session): kept for the next try.
        say(form.dataset.textWaiting, entries.length);
        return;
      }

      const answer = await response.json();
      const transaction = db.transaction("queue", "readwrite");
      let sent = 0;
      let refused = 0;
      for (const item of answer.items) {
        if (item.status === "created" || item.status === "already-exists") {
          sent++;
        } else {
          refused++;
        }

        transaction.objectStore("queue").delete(item.key);
      }

      await done(transaction);
      say(refused > 0 ? form.dataset.textRefused : form.dataset.textSent, refused > 0 ? refused : sent);
    } finally {
      sending = false;
      db?.close();
    }
  }

  form.addEventListener("submit", async (event) => {
    if (signedOut) {
      return; // an ordinary form post: the platform asks for a sign-in
    }

    event.preventDefault();
    const entry = {
      key: crypto.randomUUID(),
      givenName: form.querySelector("#quick-name").value.trim(),
      sex: form.querySelector("#quick-sex").value,
      nationality: form.querySelector("#quick-nationality").value,
      typedAt: new Date().toISOString(),
    };
    await enqueue(entry);
    form.querySelector("#quick-name").value = "";
    form.querySelector("#quick-name").focus();
    await send();
  });

  // Signing out, in this tab or another, stops this page for good: a page left open in another tab must not open (and so
  // create again) the database that the sign-out has just deleted.
  const timer = setInterval(() => send().catch(() => {}), 15000);
  const stop = () => {
    signedOut = true;
    clearInterval(timer);
    current?.close();
  };
  window.addEventListener("rn-signing-out", stop);
  if (window.BroadcastChannel) {
    new BroadcastChannel(DATABASE).onmessage = (message) => {
      if (message.data === "signed-out") {
        stop();
      }
    };
  }

  window.addEventListener("online", () => send().catch(() => {}));
  send().catch(() => {});
})();
