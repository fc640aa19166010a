// Draws the GeoJSON at each .ogc-map element's data-geojson-url (a file: no inline script, CSP).
(function () {
  for (const element of document.querySelectorAll(".ogc-map")) {
    const map = L.map(element, { attributionControl: false, zoomControl: false });
    // The zoom buttons titled in the page's language (Leaflet's own are English).
    L.control.zoom({
      zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut,
    }).addTo(map);
    map.setView([50.45, 4.85], 8);
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then((response) => response.json())
      .then((data) => {
        const layer = L.geoJSON(data, {
          pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 6 }),
        }).addTo(map);
        if (layer.getBounds().isValid()) {
          map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [20, 20] });
        }
      });
  }
})();
