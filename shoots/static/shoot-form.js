// Copies the footprint drawn on the map (leaflet-draw) into the footprint field as GeoJSON.
document.querySelectorAll("textarea[data-footprint-map]").forEach(function (field) {
  var map = window[field.dataset.footprintMap];
  if (!map) { return; }
  map.on("draw:created", function (event) {
    field.value = JSON.stringify(event.layer.toGeoJSON().geometry);
  });
});
