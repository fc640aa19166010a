#!/usr/bin/env bash
# Refresh the front-end assets in core/static/vendor from the npm registry (pinned in
# package.json / package-lock.json). Run by a maintainer; the copies are committed so that
# neither `make run` nor the municipal networks that block CDNs ever need npm or the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent 2>/dev/null || npm install --no-audit --no-fund --silent
vendor=core/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor"/pico "$vendor"/leaflet "$vendor"/leaflet.markercluster "$vendor"/leaflet-draw
cp node_modules/@picocss/pico/css/pico.min.css node_modules/@picocss/pico/LICENSE.md "$vendor"/pico/
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
      node_modules/leaflet/dist/images node_modules/leaflet/LICENSE "$vendor"/leaflet/
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
   node_modules/leaflet.markercluster/MIT-LICENCE.txt "$vendor"/leaflet.markercluster/
# Drawing tools for shoot footprints and parking (folium.plugins.Draw, served locally).
cp -r node_modules/leaflet-draw/dist/leaflet.draw.js node_modules/leaflet-draw/dist/leaflet.draw.css \
      node_modules/leaflet-draw/dist/images "$vendor"/leaflet-draw/
# The npm package ships no licence file; its copyright notice is in the script's header.
echo "MIT licence (package.json of leaflet-draw); copyright notice in leaflet.draw.js." \
  > "$vendor"/leaflet-draw/LICENSE.txt
node -e '
const lock = require("./package-lock.json");
const lines = Object.entries(lock.packages).filter(([k]) => k).map(([k, v]) => `${k.replace("node_modules/", "")} ${v.version}`);
require("fs").writeFileSync(process.argv[1], "# Vendored front-end packages (from package-lock.json)\n" + lines.join("\n") + "\n");
' "$vendor/VERSIONS.txt"
echo "Vendored into $vendor:"; cat "$vendor/VERSIONS.txt"
