// Aftersales: behaviour that would otherwise need inline handlers (CSP: script-src 'self').
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]")) el.form.requestSubmit();
});
document.addEventListener("htmx:responseError", (event) => {
  // 422 carries a re-rendered form with field errors: swap it in like a success.
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// --- customers: "add another" row in a Django formset (customers/includes/formset.html) ---
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-formset-add]");
  if (!button) return;
  const prefix = button.dataset.formsetAdd;
  const form = button.closest("form");
  const total = form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const template = form.querySelector(`#${prefix}-empty-row`);
  const rows = form.querySelector(`[data-formset-rows="${prefix}"]`);
  if (!total || !template || !rows) return;
  const index = Number(total.value);
  rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
  total.value = String(index + 1);
  const added = rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
  if (added) added.focus();
});
// --- end customers ---
