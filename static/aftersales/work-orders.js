// Work orders: copy the customer's one-time link, print a document (CSP: no inline handlers).
document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const field = document.querySelector(copy.dataset.copy);
    if (!field) return;
    field.select();
    if (navigator.clipboard) navigator.clipboard.writeText(field.value).catch(() => {});
    return;
  }
  if (event.target.closest("[data-print]")) window.print();
});
