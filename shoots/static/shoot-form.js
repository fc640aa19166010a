// The shoot form's map (shoots/views.py, _map_config): around what is drawn, the other shoots
// and blackouts of the period and the library's locations; and, as the footprint, the parking,
// the dates or the location change, the conflict check of the form as it stands (nothing is
// stored), its findings listed under the map and the shoots they name drawn in red or orange.
// Texts and styles come from the server as JSON data; every text is set with textContent.
(function () {
  "use strict";

  var configNode = document.getElementById("shoot-map-config");
  var form = document.getElementById("shoot-form");
  if (!configNode || !form) { return; }
  var config = JSON.parse(configNode.textContent);
  var map = window[config.map];
  var drawing = window[config.drawing];
  if (!map || !window.TournagesMaps) { return; }
  var texts = config.texts;
  var panel = document.getElementById("live-check");
  var DELAY_MS = 400;

  function field(name) { return form.elements.namedItem(name); }

  function popup(labels, values) {
    return TournagesMaps.popupNode(labels, values);
  }

  function featureLayer(style, fields) {  // popups and hatching as on every map (runtime)
    return TournagesMaps.polygons(null, {style: style, fields: fields});
  }

  var shootFields = [["title", texts.production], ["shoot", texts.shoot], ["when", texts.when],
                     ["part", texts.part]];
  var layers = {
    shoots: featureLayer(config.styles.shoots, shootFields).addTo(map),
    blackouts: featureLayer(config.styles.blackouts,
                            [["title", texts.blackout], ["when", texts.when]]).addTo(map),
    named: featureLayer(config.styles.named, shootFields).addTo(map),
    preview: L.geoJSON(null, {style: config.styles.preview, interactive: false}).addTo(map),
    locations: L.layerGroup().addTo(map)
  };
  // The drawn shapes stay on top, where the mouse edits them.
  Object.keys(drawing.layers).forEach(function (key) { drawing.layers[key].group.bringToFront(); });

  // ---- library locations: a click takes one as the shoot's location ------------------------

  function takeLocation(id, name) {
    var picker = document.getElementById("location_id");
    var box = picker && picker.closest("[data-place-picker]");
    var hidden = box && box.querySelector("[data-place-value]");
    if (!picker || !hidden) { return; }
    picker.value = name;
    hidden.value = String(id);
    picker.setCustomValidity("");
    schedule();
  }

  function locationPopup(feature) {
    var props = feature.properties;
    var box = popup([texts.locations, texts.commune], [props.name, props.commune]);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "tm-take-location";
    button.textContent = texts.useLocation;
    button.addEventListener("click", function () {
      takeLocation(feature.id, props.name);
      map.closePopup();
    });
    box.appendChild(button);
    return box;
  }

  function drawLocations(collection) {
    layers.locations.clearLayers();
    if (!collection) { return; }
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var marker = L.circleMarker([c[1], c[0]], {radius: 6, weight: 2, color: "#fff",
        fillColor: config.styles.location, fillOpacity: 0.9});
      marker.bindPopup(function () { return locationPopup(feature); });
      var name = document.createElement("span");  // a node: Leaflet writes a string as HTML
      name.textContent = feature.properties.name;
      marker.bindTooltip(name);
      marker.feature = feature;
      layers.locations.addLayer(marker);
    });
  }

  // ---- the period's surroundings ------------------------------------------------------------

  var asked = 0;

  function period() {  // datetime-local values compare as text
    var starts = field("starts_at"), ends = field("ends_at");
    var given = starts && ends && starts.value && ends.value && starts.value < ends.value;
    return given ? [starts.value, ends.value] : null;
  }

  function surroundings() {
    var when = period();
    if (!when) { return; }
    var question = ++asked;
    // Which question the map asked last and which it drew (the tests wait for the two to meet).
    map.getContainer().setAttribute("data-surroundings-asked", String(question));
    var url = new URL(config.surroundings, window.location.href);
    url.searchParams.set("starts_at", when[0]);
    url.searchParams.set("ends_at", when[1]);
    url.searchParams.set("bbox", map.getBounds().toBBoxString());
    url.searchParams.set("zoom", String(map.getZoom()));
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || question !== asked) { return; }
        layers.shoots.clearLayers().addData(answer.shoots);
        layers.blackouts.clearLayers().addData(answer.blackouts);
        drawLocations(answer.locations);
        map.getContainer().setAttribute("data-surroundings", String(answer.shoots.features.length));
        map.getContainer().toggleAttribute("data-truncated", Boolean(answer.truncated));
        map.getContainer().setAttribute("data-surroundings-drawn", String(question));
      })
      .catch(function () { /* offline: the check on saving still applies */ });
  }

  // ---- the live conflict check --------------------------------------------------------------

  var checks = 0;
  var timer = null;

  function showOnMap(kind, id) {
    var found = null;
    [layers.named, layers.shoots, layers.blackouts].forEach(function (layer) {
      layer.eachLayer(function (item) {
        var props = item.feature && item.feature.properties;
        if (!found && props && String(kind === "shoot" ? props.shoot : item.feature.id) === id) {
          found = item;
        }
      });
    });
    if (!found) { return; }
    map.getContainer().scrollIntoView({block: "center"});
    map.fitBounds(found.getBounds(), {maxZoom: 18, padding: [40, 40]});
    found.openPopup();
  }

  function check() {
    timer = null;
    if (!config.check || !panel) { return; }
    var question = ++checks;
    panel.setAttribute("aria-busy", "true");
    form.setAttribute("data-checking", "true");
    fetch(config.check, {method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (question !== checks) { return; }
        // The server's own HTML (its templates, escaped there), as the page itself is made.
        panel.innerHTML = answer.html;
        layers.named.clearLayers().addData(answer.named);
        layers.preview.clearLayers();
        if (answer.footprint && !field("footprint").value.trim()) {
          layers.preview.addData(answer.footprint);  // the 50 m around the chosen location
        }
        panel.setAttribute("data-ok", answer.ok ? "true" : "false");
      })
      .catch(function () {
        if (question !== checks) { return; }
        panel.textContent = texts.failed;
      })
      .finally(function () {
        // A newer question asked or waiting to be asked: the form is still being checked.
        if (question !== checks || timer !== null) { return; }
        panel.removeAttribute("aria-busy");
        form.removeAttribute("data-checking");
        form.setAttribute("data-checked", String(question));
      });
  }

  function schedule() {
    form.setAttribute("data-checking", "true");  // until the last question is answered
    clearTimeout(timer);
    timer = setTimeout(check, DELAY_MS);
  }

  panel && panel.addEventListener("click", function (event) {
    var link = event.target.closest(".show-on-map");
    if (!link) { return; }
    event.preventDefault();
    showOnMap(link.dataset.showShoot ? "shoot" : "blackout",
              link.dataset.showShoot || link.dataset.showBlackout);
  });
  document.querySelectorAll(".flash .show-on-map").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      showOnMap(link.dataset.showShoot ? "shoot" : "blackout",
                link.dataset.showShoot || link.dataset.showBlackout);
    });
  });

  form.addEventListener("tournages:drawn", schedule);
  form.addEventListener("change", function (event) {
    if (event.target.name === "starts_at" || event.target.name === "ends_at") { surroundings(); }
    schedule();
  });
  var picker = document.getElementById("location_id");
  if (picker) {
    picker.addEventListener("place-chosen", function (event) {
      var place = event.detail;
      if (place.point) { map.setView([place.point[1], place.point[0]], 17); }
      schedule();
    });
  }
  map.on("moveend", surroundings);
  surroundings();
  if (period()) { schedule(); }
}());
