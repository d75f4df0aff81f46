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
    const deleting = indexedDB.deleteDatabase("rn-intake");
    deleting.onsuccess = goOn;
    deleting.onerror = goOn;
    // An open connection elsewhere delays the deletion, which still happens once it closes; signing out does not wait.
    deleting.onblocked = () => setTimeout(goOn, 1000);
  });
})();
