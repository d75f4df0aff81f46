// Signing out wipes what the intake page kept in this browser (its encrypted queue and the session's key): on a shared
// laptop, nothing typed stays behind. The sign-out answer also asks the browser to clear the site's storage
// (Clear-Site-Data); this does it first, for browsers that ignore that header. Without script, the header alone does.
(() => {
  "use strict";
  const form = document.querySelector("form.sign-out");
  if (!form || !window.indexedDB) {
    return;
  }

  form.addEventListener("submit", (event) => {
    if (form.dataset.wiped) {
      return;
    }

    event.preventDefault();
    const goOn = () => {
      form.dataset.wiped = "true";
      form.submit();
    };
    // Intake pages, this one and any left open in other tabs, stop first: none may open the database again.
    window.dispatchEvent(new Event("rn-signing-out"));
    if (window.BroadcastChannel) {
      new BroadcastChannel("rn-intake").postMessage("signed-out");
    }

    const deleting = indexedDB.deleteDatabase("rn-intake");
    deleting.onsuccess = goOn;
    deleting.onerror = goOn;
    // An open connection elsewhere delays the deletion, which still happens once it closes; signing out does not wait.
    deleting.onblocked = () => setTimeout(goOn, 1000);
  });
})();
