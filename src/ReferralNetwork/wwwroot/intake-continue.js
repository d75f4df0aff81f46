// A long list is imported over several requests (Intake:RowsPerRequest rows each): each answer says where the import
// got to and carries a "Continue" form; this sends it at once, so the import goes on by itself. Without script, or
// after a dropped connection, the person presses Continue: each row's key keeps anyone from being created twice.
(() => {
  "use strict";
  const form = document.querySelector("form[data-continue]");
  if (form && !form.dataset.sent) {
    form.dataset.sent = "true";
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }
})();
