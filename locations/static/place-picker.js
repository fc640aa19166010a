// Place pickers (locations/picker.py): as people type, suggest places from /api/v1/places and
// keep the chosen one's NIS code or id in the hidden field. The ARIA combobox pattern: Down and
// Up move through the suggestions, Enter takes one, Escape closes the list. Every text comes
// from the server as data and is set with textContent, never parsed as HTML.
(function () {
  "use strict";

  var DELAY_MS = 200; // wait for a pause in the typing
  var MIN_CHARACTERS = 2;

  function setUp(box) {
    var input = box.querySelector("[role=combobox]");
    var hidden = box.querySelector("[data-place-value]");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[role=status]");
    var fill = box.dataset.fill;
    var places = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var asked = 0; // answers to older questions are dropped

    if (hidden) { // with JavaScript, the hidden field carries the value
      hidden.name = input.name;
      input.removeAttribute("name");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (places.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function highlight(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var place = places[index];
      input.value = place.label;
      if (hidden) {
        hidden.value = fill === "id" ? String(place.id) : (place.commune_nis || place.label);
      }
      input.setCustomValidity("");
      close();
      input.dispatchEvent(new CustomEvent("place-chosen", { bubbles: true, detail: place }));
    }

    function option(place, index) {
      var item = document.createElement("li");
      item.id = list.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "place-label";
      name.textContent = place.label;
      var where = document.createElement("small");
      var kind = box.dataset["kind" + place.kind.charAt(0).toUpperCase() + place.kind.slice(1)];
      where.textContent = [kind, place.context].filter(Boolean).join(" · ");
      item.appendChild(name);
      item.appendChild(where);
      // mousedown, not click: the text box keeps the focus (and its list) until the choice.
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(index);
      });
      return item;
    }

    function show(found) {
      places = found;
      list.replaceChildren.apply(list, found.map(option));
      status.textContent = found.length
        ? box.dataset.messageCount.replace("{count}", String(found.length))
        : box.dataset.messageNone;
      if (found.length) {
        open();
      } else {
        close();
      }
    }

    function ask(text) {
      var question = ++asked;
      var query = new URLSearchParams({ q: text, lang: box.dataset.lang });
      box.dataset.kinds.split(" ").filter(Boolean).forEach(function (kind) {
        query.append("kind", kind);
      });
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      fetch(box.dataset.url + "?" + query.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) { return response.ok ? response.json() : { places: [] }; })
        .then(function (answer) {
          if (question === asked && document.activeElement === input) {
            show(answer.places || []);
          }
        })
        .catch(function () { /* aborted, or offline: no suggestions */ });
    }

    input.addEventListener("input", function () {
      input.setCustomValidity("");
      if (hidden) { // typed, not chosen: an id is cleared, a commune's name is sent as typed
        hidden.value = fill === "id" ? "" : input.value;
      }
      clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < MIN_CHARACTERS) {
        asked++;
        show([]);
        status.textContent = "";
        return;
      }
      timer = setTimeout(function () { ask(text); }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = places.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          open();
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(active < 0 && step < 0 ? count - 1 : (active + step + count) % count);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault(); // take the suggestion; the next Enter sends the form
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", close);
    // Pressing the list's scroll bar would take the focus, and close the list, otherwise.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });

    if (fill === "id" && input.form) {
      input.form.addEventListener("submit", function (event) {
        if (input.value.trim() && !hidden.value) {
          event.preventDefault();
          input.setCustomValidity(box.dataset.messageChoose);
          input.reportValidity();
        }
      });
    }
  }

  document.querySelectorAll("[data-place-picker]").forEach(setUp);
})();
