// Aftersales signature pad (work_orders/_signature_pad.html): draw with a mouse, a pen or a
// finger (Pointer Events), sharp on high-DPI screens, width follows the container (phones).
// After every stroke the drawing is put into the pad's hidden input as
// "data:image/png;base64,…"; Clear empties both. A form holding a required pad that is still
// empty is not submitted (the server refuses an empty signature too). Works in pages and in
// fragments swapped in by htmx. No inline scripts or styles (CSP).
(() => {
  if (window.aftersalesSignaturePad) return; // included twice on one page
  const INK = "#111";

  function setup(pad) {
    if (pad.dataset.signatureReady) return;
    pad.dataset.signatureReady = "1";
    const canvas = pad.querySelector("canvas");
    const input = pad.querySelector("[data-signature-value]");
    const error = pad.querySelector("[data-signature-error]");
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let empty = !input.value;
    let last = null;

    function resize() {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      if (!width || !height) return;
      if (canvas.width === Math.round(width * ratio) && canvas.height === Math.round(height * ratio)) return;
      const keep = empty ? "" : input.value;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.2;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = INK;
      if (keep) redraw(keep, width, height);
    }

    function redraw(dataUrl, width, height) {
      const image = new Image();
      image.onload = () => ctx.drawImage(image, 0, 0, width, height);
      image.src = dataUrl;
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    function save() {
      input.value = empty ? "" : canvas.toDataURL("image/png");
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 && event.pointerType === "mouse") return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = INK;
      ctx.fill();
      empty = false;
      pad.classList.remove("is-invalid");
      if (error) error.hidden = true;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      event.preventDefault();
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (const each of events.length ? events : [event]) {
        const next = point(each);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        ctx.lineTo(next.x, next.y);
        ctx.stroke();
        last = next;
      }
    });
    const end = () => {
      if (!drawing) return;
      drawing = false;
      save();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    pad.querySelector("[data-signature-clear]").addEventListener("click", () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      empty = true;
      save();
      canvas.focus();
    });

    pad.signatureIsEmpty = () => empty;
    resize();
    new ResizeObserver(resize).observe(canvas);
  }

  function setupAll(root) {
    root = root || document;
    if (root.matches && root.matches("[data-signature-pad]")) setup(root);
    root.querySelectorAll("[data-signature-pad]").forEach(setup);
  }

  // Capture phase: runs before htmx's own submit handler, so an empty pad stops both.
  document.addEventListener(
    "submit",
    (event) => {
      const pads = event.target.querySelectorAll("[data-signature-pad][data-required]");
      for (const pad of pads) {
        if (pad.signatureIsEmpty && pad.signatureIsEmpty()) {
          event.preventDefault();
          event.stopPropagation();
          pad.classList.add("is-invalid");
          const error = pad.querySelector("[data-signature-error]");
          if (error) error.hidden = false;
          pad.querySelector("canvas").focus();
          pad.scrollIntoView({ block: "center" });
          return;
        }
      }
    },
    true,
  );

  document.addEventListener("DOMContentLoaded", () => setupAll());
  document.addEventListener("htmx:load", (event) => setupAll(event.detail.elt));
  if (document.readyState !== "loading") setupAll();
  window.aftersalesSignaturePad = { setupAll };
})();
