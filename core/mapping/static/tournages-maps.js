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

  window.TournagesMaps = {
    polygons: polygons,
    clusteredPoints: clusteredPoints,
    legend: legend,
    popupNode: popupNode,
    isReady: function () { return pending === 0; },
    readyAt: function () { return readyAt; }
  };
}());
