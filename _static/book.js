// A link to a section far down a chapter. Sections below the screen are laid out only when they
// come near it (content-visibility: auto in book.css), so the browser's jump to the link's target
// lands on estimated heights, and the page moves under it as the sections near it are laid out.
// After such a jump, once that has settled, the target is brought back to the top. Ordinary
// loading and scrolling are left alone.
(function () {
  function land() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target) target.scrollIntoView();
  }
  function settle() { setTimeout(land, 150); }
  if (document.readyState === "complete") settle(); else window.addEventListener("load", settle);
  window.addEventListener("hashchange", settle);
})();
