#!/usr/bin/env bash
# Rebuilds src/ReferralNetwork/wwwroot/fonts from the Noto fonts (SIL Open Font License 1.1) as Fontsource
# packages them on npm: only the subsets the console's languages need, regular and bold, plus a tiny subset per
# script with just the glyphs of that language's own name, so that the language chooser on every page renders
# ខ្មែរ, ລາວ, မြန်မာ and ไทย without downloading four whole scripts. Needs npm and pyftsubset with brotli
# (Debian: apt-get install fonttools python3-brotli). Run it after changing a version or a language name, then
# it points the @font-face rules of wwwroot/console.css at the new files' fingerprinted URLs (the build names
# them from their content; served with a year's cache, immutable).
set -euo pipefail
version=5.3.0
fonts="$(cd "$(dirname "$0")/../../wwwroot/fonts" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

for package in noto-sans noto-sans-khmer noto-sans-lao noto-sans-myanmar noto-sans-thai; do
    npm pack --silent "@fontsource/$package@$version" >/dev/null
    mkdir "$package" && tar -xzf "fontsource-$package-$version.tgz" -C "$package"
done

rm -f "$fonts"/*.woff2
for weight in 400 700; do
    for subset in latin vietnamese; do
        cp "noto-sans/package/files/noto-sans-$subset-$weight-normal.woff2" "$fonts/noto-sans-$subset-$weight.woff2"
    done
    for script in khmer lao myanmar thai; do
        cp "noto-sans-$script/package/files/noto-sans-$script-$script-$weight-normal.woff2" "$fonts/noto-sans-$script-$weight.woff2"
    done
done

# Keep in step with ConsoleLanguages.NativeName.
declare -A names=([khmer]="ខ្មែរ" [lao]="ລາວ" [myanmar]="မြန်မာ" [thai]="ไทย")
for script in "${!names[@]}"; do
    pyftsubset "noto-sans-$script/package/files/noto-sans-$script-$script-400-normal.woff2" \
        --text="${names[$script]}" --layout-features='*' --flavor=woff2 --no-hinting --desubroutinize \
        --output-file="$fonts/language-name-$script.woff2"
done

{
    echo "The fonts in this folder are Noto fonts by the Noto Project Authors, subsets of the files Fontsource"
    echo "publishes (npm @fontsource/noto-sans*, version $version), under the SIL Open Font License 1.1 below."
    echo "language-name-*.woff2 are further subsets (the glyphs of one word) made with fontTools' pyftsubset."
    echo
    for package in noto-sans noto-sans-khmer noto-sans-lao noto-sans-myanmar noto-sans-thai; do
        head -n 1 "$package/package/LICENSE"
    done
    echo
    tail -n +2 noto-sans-khmer/package/LICENSE
} >"$fonts/OFL.txt"
# The build fingerprints every static file (fonts/x.woff2 is also served as fonts/x.<fingerprint>.woff2, cached
# for a year); CSS url()s are not rewritten by it, so the stylesheet names the fingerprinted files itself.
project="$(cd "$fonts/../.." && pwd)"
dotnet build "$project" -nologo -v quiet >/dev/null
python3 - "$project" <<'PY'
import json, pathlib, re, sys
project = pathlib.Path(sys.argv[1])
manifest = next((project / "bin").glob("*/net*/ReferralNetwork.staticwebassets.endpoints.json"))
routes = {}
for endpoint in json.loads(manifest.read_text())["Endpoints"]:
    properties = {p["Name"]: p["Value"] for p in endpoint.get("EndpointProperties", [])}
    if "fingerprint" in properties and properties["label"].startswith("fonts/"):
        routes[properties["label"]] = endpoint["Route"]
css = project / "wwwroot" / "console.css"
text = re.sub(r'url\("(fonts/[^"]+?)(?:\.[a-z0-9]{10})?(\.woff2)"\)', lambda m: f'url("{routes[m.group(1) + m.group(2)]}")', css.read_text())
css.write_text(text)
PY
ls -l "$fonts"
