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

  function begin() { pending += 1; }

  function end() {
    pending -= 1;
    if (pending === 0) {
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

  /* GeoJSON polygons (or lines); a feature's properties.style overrides the layer style. */
  function polygons(data, options) {
    var keys = options.fields.map(function (field) { return field[0]; });
    var labels = options.fields.map(function (field) { return field[1]; });
    return L.geoJSON(data, {
      style: function (feature) {
        return pickStyle(options.style, feature.properties && feature.properties.style);
      },
      onEachFeature: function (feature, layer) {
        if (!keys.length) { return; }
        layer.bindPopup(function () {
          var props = feature.properties || {};
          return popupNode(labels, keys.map(function (key) { return props[key]; }));
        });
      }
    });
  }

  /* Clustered points from a compact payload {fields: [labels], points: [[lat, lon, ...values]]},
   * given inline or fetched from options.url. One popup is built on click, not one per marker. */
  function clusteredPoints(payload, options) {
    var group = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    var labels = [];
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
      group.addLayers(markers);
      group.tmCount = markers.length;
    }
    begin();
    if (options.url) {
      fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("map data: HTTP " + response.status); }
          return response.json();
        })
        .then(draw)
        .then(end, function (error) { end(); throw error; });
    } else {
      draw(payload);
      end();
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
    isReady: function () { return pending === 0; }
  };
}());
