#!/bin/bash
# End to end: a tree with two flavours staged from the test images, one
# good and one bad. `smokegate gate` publishes exactly the good one, keeps
# the bad one with its evidence, and the status page (opened in headless
# Chromium) shows both with a screenshot that loads.
# usage: gate.sh SMOKEGATE GOOD-ISO BAD-ISO
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") good=$(realpath "$2") bad=$(realpath "$3")
make_workdir
tree="$workdir/tree"
mkdir -p "$tree"
today=$(date +%Y%m%d)

"$smokegate" stage --tree "$tree" --flavour alpha "$good" > /dev/null
"$smokegate" stage --tree "$tree" --flavour beta "$bad" > /dev/null
echo "# before:"; (cd "$tree" && find . -path ./.smokegate -prune -o -print | sort | sed 's/^/#   /')

"$smokegate" gate --tree "$tree" --jobs 2 > "$workdir/out" 2> "$workdir/err"
status=$?
echo "# gate said: $(cat "$workdir/out")"
sed 's/^/# stderr: /' "$workdir/err"
echo "# after:"; (cd "$tree" && find . -path ./.smokegate -prune -o -print | sort | sed 's/^/#   /')

check "gate exits 1 (a build failed; got $status)" test $status -eq 1
check "gate counts one pass and one fail" test "$(cat "$workdir/out")" = "gate: 1 passed, 1 failed, 0 not judged"
check "the good flavour's current is its build" test "$(readlink "$tree/alpha/daily-live/current")" = "$today"
check "the bad flavour has no current" test ! -e "$tree/beta/daily-live/current"
check "the bad build is kept" test -s "$tree/beta/daily-live/$today/daily-desktop-amd64.iso"
check "the bad build is marked failed" test "$(jq -r .state "$tree/beta/daily-live/$today/smokegate.json")" = failed
check "its evidence is kept" test "$(jq -r .verdict "$tree/beta/daily-live/$today/smoke/result.json")" = fail
check "the good build's evidence has its screenshot" test -s "$tree/alpha/daily-live/$today/smoke/screenshot.png"
check "status.json shows both" test "$(jq -r '[.flavours[] | .flavour + ":" + .builds[0].state] | join(" ")' "$tree/status.json")" = "alpha:passed beta:failed"
check "index.html names the failure reason" grep -q "kernel panic" "$tree/index.html"

# Running the gate again finds nothing to do: verdicts are final.
"$smokegate" gate --tree "$tree" > "$workdir/out2" 2>&1
check "a second gate has nothing to test" test "$(cat "$workdir/out2")" = "gate: 0 passed, 0 failed, 0 not judged"

# The page in a real browser: it renders, and the screenshot it links loads.
chromium_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--user-data-dir="$workdir/chromium")
if command -v chromium > /dev/null; then
	chromium "${chromium_flags[@]}" --window-size=1200,900 --screenshot="$workdir/page.png" \
		"file://$tree/index.html" > /dev/null 2>&1
	check "the status page renders to a picture" test -s "$workdir/page.png"
	[ -n "${SMOKEGATE_KEEP_PAGE:-}" ] && cp "$workdir/page.png" "$SMOKEGATE_KEEP_PAGE"
	links=$(grep -o 'src="[^"]*\.png"' "$tree/index.html" | sed 's/src="//; s/"$//' | sort -u)
	{
		echo '<html><body><p id="r">'
		# The words are joined when the handler runs, so the page's own
		# source never contains them: only a load that happened does.
		for l in $links; do echo "<img src=\"$l\" onload=\"this.parentNode.append(['img','ok'].join('-'))\" onerror=\"this.parentNode.append(['img','bad'].join('-'))\">"; done
		echo '</p></body></html>'
	} > "$tree/.smokegate/check-images.html"
	sed -i 's#src="#src="../#' "$tree/.smokegate/check-images.html"
	chromium "${chromium_flags[@]}" --virtual-time-budget=5000 --dump-dom \
		"file://$tree/.smokegate/check-images.html" > "$workdir/dom.html" 2>/dev/null
	loaded=$(grep -o 'img-ok' "$workdir/dom.html" | wc -l)
	echo "# chromium loaded $loaded of $(echo "$links" | wc -w) linked pictures"
	check "the page links a screenshot" test -n "$links"
	check "every linked screenshot loads in Chromium" test "$loaded" -eq "$(echo "$links" | wc -w)"
	check "no linked screenshot is broken" sh -c "! grep -q img-bad '$workdir/dom.html'"
else
	not_ok "chromium is not installed (Debian package chromium): the page was not checked"
fi
check_nothing_left
finish
