// Small screens (tournages.css): the site menu folds behind a "Menu" button, and each table of
// the page scrolls sideways in a region of its own, which the keyboard can reach, instead of
// the whole page (WCAG 1.4.10 reflow). Without JavaScript the menu stays open and the page
// scrolls as a whole.
(function () {
  "use strict";

  function foldingMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) { return; }
    document.documentElement.classList.add("has-menu-toggle");
    button.hidden = false;
    function show(open) {
      menu.classList.toggle("open", open);
      button.setAttribute("aria-expanded", String(open));
    }
    button.addEventListener("click", function () { show(!menu.classList.contains("open")); });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        show(false);
        button.focus();
      }
    });
  }

  // The table's name for the region: its caption, else the heading above it, else a word.
  function nameOf(table, fallback) {
    if (table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    for (var node = table.previousElementSibling || table.parentElement; node;
         node = node.previousElementSibling || node.parentElement) {
      if (/^H[1-6]$/.test(node.tagName)) { return node.textContent.trim(); }
      if (node.tagName === "MAIN" || node === document.body) { break; }
    }
    return fallback;
  }

  function scrollingTables() {
    var fallback = document.body.dataset.tableLabel || "Table";
    document.querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      if (parent.classList.contains("overflow-auto") || parent.classList.contains("table-scroll")) {
        return;  // the template made the region itself
      }
      var region = document.createElement("div");
      region.className = "table-scroll";
      region.setAttribute("role", "region");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", nameOf(table, fallback));
      parent.insertBefore(region, table);
      region.appendChild(table);
    });
  }

  foldingMenu();
  scrollingTables();
}());
