/* Tournages maps runtime: builds layers, popups and legends from JSON data.
 *
 * Every user-supplied string reaches the page through textContent, never through innerHTML,
 * so a location named "<img onerror=…>" or "${…}" is shown as typed and runs nothing.
 * The Python side (maps/builder.py) writes one call per layer; no per-marker statements.
 */
(function () {
  "use strict";

  var STYLE_KEYS = ["color", "weight", "opacity", "fillColor", "fillOpacity", "dashArray",
    "className"];
  var pending = 0;
  var readyAt = null;  // ms since navigation start when the last layer was drawn

  function begin() { pending += 1; }

  function end() {
    pending -= 1;
    if (pending === 0) {
      readyAt = performance.now();
      document.documentElement.setAttribute("data-tm-ready", "true");
      document.dispatchEvent(new CustomEvent("tournages:maps-ready"));
    }
  }

  /* A popup: the first value as a title, the others as "label: value" lines. */
  function popupNode(labels, values) {
    var box = document.createElement("div");
    box.className = "tm-popup";
    labels.forEach(function (label, index) {
      var value = values[index];
      if (value === null || value === undefined || value === "") { return; }
      var line = document.createElement("div");
      if (index === 0) {
        var title = document.createElement("strong");
        title.textContent = String(value);
        line.appendChild(title);
      } else {
        var name = document.createElement("span");
        name.className = "tm-label";
        name.textContent = label + " ";
        line.appendChild(name);
        line.appendChild(document.createTextNode(String(value)));
      }
      box.appendChild(line);
    });
    return box;
  }

  function pickStyle(base, extra) {
    var style = {};
    Object.keys(base || {}).forEach(function (key) { style[key] = base[key]; });
    STYLE_KEYS.forEach(function (key) {
      if (extra && Object.prototype.hasOwnProperty.call(extra, key)) { style[key] = extra[key]; }
    });
    return style;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  /* Diagonal hatching for paths of className "tm-hatched" (blackout periods): an SVG pattern
   * added once to the vector pane's <svg>, which the stylesheet uses as their fill. */
  function ensureHatching(pane) {
    var svg = pane && pane.querySelector("svg");
    if (!svg || svg.querySelector("#tm-hatch")) { return; }
    var defs = document.createElementNS(SVG_NS, "defs");
    var pattern = document.createElementNS(SVG_NS, "pattern");
    var attributes = {id: "tm-hatch", width: "8", height: "8", patternUnits: "userSpaceOnUse",
                      patternTransform: "rotate(45)"};
    Object.keys(attributes).forEach(function (key) { pattern.setAttribute(key, attributes[key]); });
    var line = document.createElementNS(SVG_NS, "line");
    [["x1", "0"], ["y1", "0"], ["x2", "0"], ["y2", "8"], ["stroke", "#6a1b9a"],
     ["stroke-width", "3"]].forEach(function (pair) { line.setAttribute(pair[0], pair[1]); });
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  /* GeoJSON polygons (or lines); a feature's properties.style overrides the layer style. */
  function polygons(data, options) {
    var keys = options.fields.map(function (field) { return field[0]; });
    var labels = options.fields.map(function (field) { return field[1]; });
    return L.geoJSON(data, {
      style: function (feature) {
        return pickStyle(options.style, feature.properties && feature.properties.style);
      },
      onEachFeature: function (feature, layer) {
        layer.on("add", function (event) { ensureHatching(event.target.getPane()); });
        if (!keys.length) { return; }
        layer.bindPopup(function () {
          var props = feature.properties || {};
          return popupNode(labels, keys.map(function (key) { return props[key]; }));
        });
      }
    });
  }

  /* Clustered points from a compact payload {fields: [labels], points: [[lat, lon, ...values]]},
   * given inline or fetched from options.url. One popup is built on click, not one per marker.
   * The page counts as ready once markercluster has placed the last chunk of markers. */
  function clusteredPoints(payload, options) {
    var labels = [];
    var state = "waiting";  // then "drawing", then "done"
    function finish() {
      if (state !== "done") { state = "done"; end(); }
    }
    var group = L.markerClusterGroup({
      chunkedLoading: true,
      chunkDelay: 1,  // yield to the browser between chunks, but do not idle
      // markercluster builds a grid per zoom level, its main cost with 50,000 points: none from
      // zoom 14 (a town's streets), where even the densest commune shows a few dozen markers.
      disableClusteringAtZoom: 14,
      showCoverageOnHover: false,
      // Also called by the group's own onAdd (with nothing to add): only our batch counts.
      chunkProgress: function (processed, total) {
        if (state === "drawing" && processed === total) { setTimeout(finish, 0); }
      }
    });
    group.on("click", function (event) {
      var row = event.layer.tmRow;
      L.popup().setLatLng(event.latlng).setContent(popupNode(labels, row.slice(2)))
        .openOn(group._map);
    });
    function draw(data) {
      labels = data.fields;
      var markers = data.points.map(function (row) {
        var marker = L.marker([row[0], row[1]]);
        marker.tmRow = row;
        return marker;
      });
      group.tmCount = markers.length;
      var chunked = markers.length > 0 && group._map;  // else no chunkProgress call comes
      state = "drawing";
      group.addLayers(markers);
      if (!chunked) { finish(); }
    }
    begin();
    if (options.url) {
      fetch(options.url, { credentials: "same-origin" })  // as preloaded by the page
        .then(function (response) {
          if (!response.ok) { throw new Error("map data: HTTP " + response.status); }
          return response.json();
        })
        .then(draw)
        .catch(function (error) { finish(); throw error; });
    } else {
      setTimeout(function () { draw(payload); }, 0);  // once the layer is on its map
    }
    return group;
  }

  /* A legend control: coloured swatches and text labels. */
  function legend(entries, options) {
    var control = L.control({ position: options.position || "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "tm-legend leaflet-control");
      if (options.title) {
        var title = document.createElement("strong");
        title.textContent = options.title;
        box.appendChild(title);
      }
      entries.forEach(function (entry) {
        var line = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "tm-swatch tm-swatch-" + entry.shape;
        swatch.style.setProperty("--tm-colour", entry.color);
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(entry.label));
        box.appendChild(line);
      });
      return box;
    };
    return control;
  }

  /* ---- drawing: a form's geometries entered on the map (core/mapping/drawing.py) ---------- */

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  /* Our texts into leaflet-draw's L.drawLocal. leaflet-draw writes them with innerHTML, so each
   * is HTML-escaped first: a translation is shown as text, whatever it contains. */
  function localise(target, texts) {
    Object.keys(texts).forEach(function (key) {
      var value = texts[key];
      if (value !== null && typeof value === "object") {
        if (!target[key] || typeof target[key] !== "object") { target[key] = {}; }
        localise(target[key], value);
      } else {
        target[key] = escapeHtml(value);
      }
    });
  }

  /* The polygons of a FeatureGroup as one GeoJSON geometry: a Polygon, a MultiPolygon or null. */
  function areaOf(group) {
    var polygons = [];
    group.eachLayer(function (layer) {
      var geometry = layer.toGeoJSON().geometry;
      if (geometry.type === "Polygon") { polygons.push(geometry.coordinates); }
      if (geometry.type === "MultiPolygon") { polygons = polygons.concat(geometry.coordinates); }
    });
    if (!polygons.length) { return null; }
    if (polygons.length === 1) { return {type: "Polygon", coordinates: polygons[0]}; }
    return {type: "MultiPolygon", coordinates: polygons};
  }

  /* A GeoJSON Polygon or MultiPolygon as one editable L.Polygon per part; [] for anything else. */
  function polygonsOf(geometry, style) {
    if (!geometry || !Array.isArray(geometry.coordinates)) { return []; }
    var parts = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    try {
      return parts.map(function (rings) {
        return L.polygon(L.GeoJSON.coordsToLatLngs(rings, 1), style);
      });
    } catch (error) {
      return [];  // not coordinates: the server names the field's error
    }
  }

  function numberIn(text) {
    var value = String(text || "").trim();
    if (value.split(",").length === 2 && value.indexOf(".") < 0) { value = value.replace(",", "."); }
    return value === "" ? NaN : Number(value);
  }

  function told(field) {  // the form (e.g. the live conflict check) learns the field changed
    field.dispatchEvent(new CustomEvent("tournages:drawn", {bubbles: true}));
  }

  /* The map's script runs where the map stands in the page, maybe above its form's fields. */
  function whenParsed(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  /* An area: polygons and rectangles drawn, their corners dragged, deleted; the field holds
   * the group's GeoJSON. Without MULTIPLE a new shape replaces the old one. */
  function areaLayer(map, spec) {
    var group = L.featureGroup().addTo(map);
    var entry = {spec: spec, group: group};

    function load(geometry) {
      group.clearLayers();
      polygonsOf(geometry, spec.style).forEach(function (polygon) { group.addLayer(polygon); });
    }
    entry.write = function () {
      var field = document.getElementById(spec.field);
      var geometry = areaOf(group);
      field.value = geometry ? JSON.stringify(geometry) : "";
      told(field);
    };
    entry.control = function () {
      var shape = {shapeOptions: spec.style, showArea: false};
      return new L.Control.Draw({
        position: "topleft",
        draw: {polyline: false, circle: false, circlemarker: false, marker: false,
               polygon: L.extend({allowIntersection: false}, shape), rectangle: shape},
        edit: {featureGroup: group, edit: {selectedPathOptions: {maintainColor: true,
               dashArray: "6 6", fillOpacity: 0.1}}, remove: true}
      });
    };
    entry.created = function (layer) {
      if (!spec.multiple) { group.clearLayers(); }
      layer.setStyle(spec.style);
      group.addLayer(layer);
      entry.write();
    };
    load(spec.geometry);
    whenParsed(function () {
      // Pasted GeoJSON (the expert option) is drawn as soon as it reads as an area.
      var field = document.getElementById(spec.field);
      field.addEventListener("change", function () {
        var text = field.value.trim();
        if (!text) { group.clearLayers(); return; }
        try { load(JSON.parse(text)); } catch (error) { /* not JSON: the server says so */ }
      });
    });
    return entry;
  }

  /* A point: a click on the map puts the marker there, the marker is dragged; the longitude and
   * latitude fields (spec.field: "lon-id lat-id") hold its coordinates. */
  function pointLayer(map, spec) {
    var ids = spec.field.split(" ");
    var marker = null;
    var entry = {spec: spec, group: L.featureGroup().addTo(map)};

    function place(latlng) {
      if (!marker) {
        marker = L.marker(latlng, {draggable: true, autoPan: true, title: spec.label,
                                   alt: spec.label, keyboard: true});
        marker.on("dragend", function () { entry.write(); });
        entry.group.addLayer(marker);
      } else {
        marker.setLatLng(latlng);
      }
    }
    entry.write = function () {
      var lonField = document.getElementById(ids[0]);
      var latField = document.getElementById(ids[1]);
      var at = marker.getLatLng();
      lonField.value = at.lng.toFixed(6);
      latField.value = at.lat.toFixed(6);
      told(lonField);
    };
    entry.click = function (latlng) { place(latlng); entry.write(); };
    entry.marker = function () { return marker; };
    var start = spec.geometry && spec.geometry.coordinates;
    if (start && isFinite(start[0]) && isFinite(start[1])) { place([start[1], start[0]]); }
    whenParsed(function () {
      var lonField = document.getElementById(ids[0]);
      var latField = document.getElementById(ids[1]);
      [lonField, latField].forEach(function (field) {
        field.addEventListener("change", function () {
          var lon = numberIn(lonField.value), lat = numberIn(latField.value);
          if (isFinite(lon) && isFinite(lat) && Math.abs(lon) <= 180 && Math.abs(lat) <= 90) {
            place([lat, lon]);
            map.panTo([lat, lon]);
          }
        });
      });
    });
    return entry;
  }

  /* The switch saying which geometry is being drawn, when a map has several. */
  function chooser(entries, texts, choose) {
    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var box = L.DomUtil.create("fieldset", "tm-draw-choice leaflet-control");
      var title = document.createElement("legend");
      title.textContent = texts.choose;
      box.appendChild(title);
      entries.forEach(function (entry, index) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "radio";
        input.name = "tm-draw-choice";
        input.value = entry.spec.key;
        input.checked = index === 0;
        input.addEventListener("change", function () { if (input.checked) { choose(entry); } });
        var swatch = document.createElement("span");
        swatch.className = "tm-swatch";
        swatch.style.setProperty("--tm-colour", entry.spec.style.color);
        label.appendChild(input);
        label.appendChild(swatch);
        label.appendChild(document.createTextNode(entry.spec.label));
        box.appendChild(label);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function hint(text) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "tm-draw-hint leaflet-control");
      box.textContent = text;
      return box;
    };
    return control;
  }

  /* A ring of 32 points METRES around POINT (lon, lat): the local scale of the sphere, within
   * a fraction of a percent at the sizes of a set. */
  function ringAround(point, metres) {
    var ring = [];
    var perDegreeLat = 111320;
    var perDegreeLon = perDegreeLat * Math.cos(point[1] * Math.PI / 180);
    for (var step = 0; step < 32; step++) {
      var angle = 2 * Math.PI * step / 32;
      ring.push(L.latLng(point[1] + metres * Math.sin(angle) / perDegreeLat,
                         point[0] + metres * Math.cos(angle) / perDegreeLon));
    }
    return ring;
  }

  /* The keyboard's way to draw (WCAG 2.1.1): a place found in the box, a size, and a button
   * (templates/_drawing.html) drawing a shape that size around the place in the layer being
   * drawn, as if drawn with the mouse; a status line says what was drawn. */
  function aroundPlace(map, data, place, active) {
    var button = document.querySelector("[data-draw-around='" + data.placeBox + "']");
    if (!button) { return; }
    var size = document.getElementById(button.dataset.size);
    var status = document.getElementById(button.dataset.status);
    function say(text) { status.textContent = text; }
    function draw() {
      var entry = active();
      var chosen = place();
      if (!chosen) { say(data.texts.around.noPlace); return; }
      if (!size.checkValidity() || size.value === "") { size.reportValidity(); return; }
      if (!entry || !entry.created) { return; }
      var shape = L.polygon(ringAround(chosen.point, Number(size.value)));
      entry.created(shape);
      map.fitBounds(shape.getBounds(), {maxZoom: data.placeZoom});
      say(data.texts.around.done.replace("%(layer)s", entry.spec.label)
        .replace("%(size)s", size.value).replace("%(place)s", chosen.label));
    }
    button.addEventListener("click", draw);
    size.addEventListener("keydown", function (event) {  // Enter draws; it never sends the form
      if (event.key === "Enter") { event.preventDefault(); draw(); }
    });
  }

  /* The drawing of a map: its layers, the switch between them, the drawing tools of the one
   * chosen, and the place search box that moves the map. Returns a controller for the page's
   * own scripts (the shoot form's live check) and the browser tests. */
  function drawing(map, data) {
    localise(L.drawLocal, {draw: data.texts.draw, edit: data.texts.edit});
    var entries = data.layers.map(function (spec) {
      return spec.kind === "point" ? pointLayer(map, spec) : areaLayer(map, spec);
    });
    var active = null;
    var tools = null;
    var pointHint = hint(data.texts.point);

    function putAway(control) {  // an edit in progress is kept, a drawing begun is dropped
      var edit = control._toolbars.edit, draw = control._toolbars.draw;
      if (edit && edit.enabled()) { edit._save(); }
      if (draw && draw.enabled()) { draw.disable(); }
      map.removeControl(control);
    }

    function choose(entry) {
      if (tools) { putAway(tools); tools = null; }
      map.removeControl(pointHint);
      active = entry;
      if (entry.control) {
        tools = entry.control();
        map.addControl(tools);
      } else {
        pointHint.addTo(map);
      }
      map.getContainer().setAttribute("data-drawing", entry.spec.key);
    }

    map.on(L.Draw.Event.CREATED, function (event) {
      if (active && active.created) { active.created(event.layer); }
    });
    // Whatever changed the shapes (a corner dragged, a shape deleted, an edit cancelled and
    // undone), the field holds what the map shows.
    [L.Draw.Event.EDITED, L.Draw.Event.DELETED, L.Draw.Event.EDITVERTEX, L.Draw.Event.EDITMOVE,
     L.Draw.Event.EDITRESIZE, L.Draw.Event.EDITSTOP, L.Draw.Event.DELETESTOP].forEach(
      function (name) {
        map.on(name, function () { if (active && active.control) { active.write(); } });
      });
    map.on("click", function (event) {
      if (active && active.click) { active.click(event.latlng); }
    });
    if (entries.length > 1) { chooser(entries, data.texts, choose).addTo(map); }
    if (entries.length) { choose(entries[0]); }

    var chosenPlace = null;  // the last place found in the box, for "draw around it"
    whenParsed(function () {
      var box = data.placeBox && document.getElementById(data.placeBox);
      if (!box) { return; }
      aroundPlace(map, data, function () { return chosenPlace; }, function () { return active; });
      box.addEventListener("place-chosen", function (event) {
        var place = event.detail;
        chosenPlace = place.point ? place : null;
        if (place.bbox) {
          map.fitBounds([[place.bbox[1], place.bbox[0]], [place.bbox[3], place.bbox[2]]],
                        {maxZoom: data.placeZoom});
        } else if (place.point) {
          map.setView([place.point[1], place.point[0]], data.placeZoom);
        }
      });
      // This box only moves the map: Enter never sends the form around it.
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }
      });
    });
    return {
      map: map,
      layers: entries.reduce(function (all, entry) { all[entry.spec.key] = entry; return all; }, {}),
      choose: function (key) {
        entries.forEach(function (entry) { if (entry.spec.key === key) { choose(entry); } });
      },
      active: function () { return active && active.spec.key; }
    };
  }

  window.TournagesMaps = {
    polygons: polygons,
    clusteredPoints: clusteredPoints,
    legend: legend,
    drawing: drawing,
    popupNode: popupNode,
    isReady: function () { return pending === 0; },
    readyAt: function () { return readyAt; }
  };
}());
