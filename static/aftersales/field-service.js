// The dispatch board (field_service/board.html): each visit block is placed on its engineer's
// day track from data-left / data-width, percent of the shown hours. Setting the CSSOM is
// allowed by the CSP (style-src 'self'), unlike a style="" attribute in the page.
function placeBoardVisits(root) {
  root.querySelectorAll(".board-visit[data-left]").forEach((block) => {
    block.style.left = `${block.dataset.left}%`;
    block.style.width = `${block.dataset.width}%`;
  });
}
placeBoardVisits(document);
document.addEventListener("htmx:afterSwap", (event) => placeBoardVisits(event.target));
