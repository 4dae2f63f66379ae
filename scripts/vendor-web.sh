#!/usr/bin/env bash
# Refreshes the vendored browser builds under web/vendor/ from the npm registry.
# Versions are pinned here; change a version, run this script, commit web/vendor/.
# Needs only `npm` and `tar` (no global installs, no bundler). cargo build never needs Node.
set -euo pipefail

VUE=3.5.45
ELEMENT_PLUS=2.14.8
ICONS_VUE=2.3.2
ECHARTS=6.1.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/web/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# fetch <package> <version>: leaves the unpacked package in $tmp/<safe name>/package
fetch() {
  local pkg="$1" ver="$2" safe
  safe="$(echo "$pkg" | tr '/@' '__')"
  mkdir -p "$tmp/$safe"
  (cd "$tmp/$safe" && npm pack --silent "$pkg@$ver" >/dev/null && tar -xzf ./*.tgz)
  echo "$tmp/$safe/package"
}

# put <from> <to>: copies one file, refusing to go on if the package lacks it
put() {
  if [[ ! -f "$1" ]]; then
    echo "vendor-web: missing $1" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
}

rm -rf "$out"
mkdir -p "$out"

p="$(fetch vue "$VUE")"
put "$p/dist/vue.esm-browser.prod.js" "$out/vue/vue.esm-browser.prod.js"
put "$p/LICENSE" "$out/vue/LICENSE"

p="$(fetch element-plus "$ELEMENT_PLUS")"
put "$p/dist/index.full.min.mjs" "$out/element-plus/index.full.min.mjs"
put "$p/dist/index.css" "$out/element-plus/index.css"
put "$p/dist/locale/zh-cn.min.mjs" "$out/element-plus/locale/zh-cn.min.mjs"
put "$p/dist/locale/en.min.mjs" "$out/element-plus/locale/en.min.mjs"
put "$p/LICENSE" "$out/element-plus/LICENSE"

p="$(fetch @element-plus/icons-vue "$ICONS_VUE")"
put "$p/dist/index.min.js" "$out/icons-vue/index.min.js"
if [[ -f "$p/LICENSE" ]]; then put "$p/LICENSE" "$out/icons-vue/LICENSE"; fi

p="$(fetch echarts "$ECHARTS")"
put "$p/dist/echarts.esm.min.js" "$out/echarts/echarts.esm.min.js"
put "$p/LICENSE" "$out/echarts/LICENSE"

{
  echo "# Browser builds vendored by scripts/vendor-web.sh from the npm registry. Do not edit by hand."
  printf '%-32s %s\n' "vue@$VUE" "vue/vue.esm-browser.prod.js"
  printf '%-32s %s\n' "element-plus@$ELEMENT_PLUS" "element-plus/index.full.min.mjs, index.css, locale/zh-cn.min.mjs, locale/en.min.mjs"
  printf '%-32s %s\n' "@element-plus/icons-vue@$ICONS_VUE" "icons-vue/index.min.js"
  printf '%-32s %s\n' "echarts@$ECHARTS" "echarts/echarts.esm.min.js"
} > "$out/VERSIONS.txt"

echo "vendor-web: wrote $(find "$out" -type f | wc -l) files to web/vendor"
