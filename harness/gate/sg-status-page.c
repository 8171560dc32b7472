#include "sg-status-page.h"

#include <string.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-json.h"

/* cdimage's own words (lib/cdimage/tree.py), so people who know them recognise them. */
#define OVERSIZED_WARNING                                                                          \
	"WARNING: This image is OVERSIZED. This should never happen during milestone testing."

#define THUMBNAIL_WIDTH 320

/* Colour only repeats what the words already say: every state, verdict and
 * warning is spelled out, and warnings also stand out by their border and weight. */
static const gchar page_css[] =
	"body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72em;padding:1em;"
	"color:#111;background:#fff;line-height:1.4}"
	"h1{font-size:1.6em;margin:.2em 0}"
	"h2{font-size:1.3em;margin:0 0 .5em;border-bottom:2px solid #444}"
	"section{border:1px solid #888;border-radius:4px;padding:1em;margin:1.5em 0}"
	".alert{border:3px solid #000;padding:.6em .8em;margin:.6em 0;font-weight:bold}"
	".alert.nobuild{background:#fde7e7;border-color:#a00000;font-size:1.15em}"
	".alert.damaged{background:#fde7e7;border-color:#a00000}"
	".alert.oversized{background:#fff3cd;border-color:#8a6d00}"
	".summary{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}"
	".summary dl{margin:0;flex:1;min-width:20em}"
	"dt{font-weight:bold;margin-top:.4em}"
	"dd{margin:0 0 0 1em}"
	".shot{width:320px;text-align:center;font-size:.9em}"
	".shot img{display:block;border:1px solid #444;width:320px;height:auto}"
	".verdict{font-weight:bold;padding:0 .3em;border:1px solid #000}"
	".verdict.pass{background:#dff5df}"
	".verdict.fail{background:#fde7e7}"
	".verdict.error{background:#fff3cd}"
	".reason{font-family:monospace;white-space:pre-wrap;word-break:break-word}"
	"table{border-collapse:collapse;width:100%;margin-top:1em;font-size:.9em}"
	"th,td{border:1px solid #888;padding:.25em .5em;text-align:left;vertical-align:top}"
	"th{background:#eee}"
	"code{font-size:.85em}"
	".muted{color:#555}";

/* Each time (a <time> element, written in the writer's local time to the
 * second) gets "(N min ago)" beside it, kept current; and while serve
 * rewrites the page, it reloads itself once status.json says a newer page
 * was written (served over http: a page opened as a file cannot fetch, and
 * then says how old it is). */
static const gchar page_script[] =
	"(function(){"
	"function ago(t){var s=Math.max(0,Math.round((Date.now()-t)/1000));"
	"if(s<90)return s+' s ago';if(s<5400)return Math.round(s/60)+' min ago';"
	"if(s<172800)return Math.floor(s/3600)+' h '+Math.floor(s%3600/60)+' min ago';"
	"return Math.floor(s/86400)+' days ago'}"
	"function tick(){document.querySelectorAll('time[datetime]').forEach(function(e){"
	"var t=Date.parse(e.getAttribute('datetime'));if(isNaN(t))return;"
	"var a=e.nextElementSibling;if(!a||!a.classList.contains('ago')){"
	"a=document.createElement('span');a.className='ago muted';e.after(a)}"
	"a.textContent=' ('+ago(t)+')'})}"
	"tick();setInterval(tick,30000);"
	"var written=document.documentElement.getAttribute('data-generated');"
	"function check(){fetch('status.json',{cache:'no-store'}).then(function(r){return "
	"r.json()})"
	".then(function(s){if(s.generated&&s.generated!==written)location.reload()})"
	".catch(function(){})}"
	"setInterval(check,30000)})();";

static void
append_text(GString *html, const gchar *text)
{
	g_autofree gchar *escaped = g_markup_escape_text(text != NULL ? text : "", -1);
	g_string_append(html, escaped);
}

/* A tree path as a relative URL: spaces, '#', '?' or ':' in a name must not
 * change what the link points at. */
static void
append_href(GString *html, const gchar *path)
{
	g_autofree gchar *uri = g_uri_escape_string(path, "/", FALSE);
	append_text(html, uri);
}

/* An ISO 8601 time of the model as people read it: local time to the
 * second, with its zone; the exact time stays in the element for the
 * page's script. Text that is not such a time is shown as it is. */
static void
append_time(GString *html, const gchar *iso)
{
	g_autoptr(GDateTime) utc = iso != NULL ? g_date_time_new_from_iso8601(iso, NULL) : NULL;
	g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local(utc) : NULL;
	g_autofree gchar *shown =
		local != NULL ? g_date_time_format(local, "%Y-%m-%d %H:%M:%S %Z") : NULL;

	if (shown == NULL) {
		append_text(html, iso);
		return;
	}
	g_string_append(html, "<time datetime=\"");
	append_text(html, iso);
	g_string_append(html, "\">");
	append_text(html, shown);
	g_string_append(html, "</time>");
}

static const gchar *
verdict_class(const gchar *verdict)
{
	if (g_strcmp0(verdict, "pass") == 0)
		return "pass";
	if (g_strcmp0(verdict, "fail") == 0)
		return "fail";
	return "error";
}

static void
append_verdict(GString *html, const gchar *verdict)
{
	g_autofree gchar *upper = g_ascii_strup(verdict, -1);

	g_string_append_printf(html, "<span class=\"verdict %s\">", verdict_class(verdict));
	append_text(html, upper);
	g_string_append(html, "</span>");
}

/* The build folder: from the evidence path when there is one (it is the
 * tree's real layout), else flavour/image-type/id. */
static gchar *
build_dir(JsonObject *section, JsonObject *build)
{
	const gchar *evidence = sg_json_get_string(build, "evidence");

	if (evidence != NULL && g_str_has_suffix(evidence, "/smoke/"))
		return g_strndup(evidence, strlen(evidence) - strlen("smoke/"));
	return g_strdup_printf("%s/%s/%s/", sg_json_get_string(section, "flavour"),
			       sg_json_get_string(section, "image_type"),
			       sg_json_get_string(build, "id"));
}

static JsonObject *
find_build(JsonArray *builds, const gchar *id)
{
	if (builds == NULL || id == NULL)
		return NULL;
	for (guint i = 0; i < json_array_get_length(builds); i++) {
		JsonObject *build = json_array_get_object_element(builds, i);
		if (g_strcmp0(sg_json_get_string(build, "id"), id) == 0)
			return build;
	}
	return NULL;
}

static void
append_build_link(GString *html, JsonObject *section, JsonArray *builds, const gchar *id)
{
	JsonObject *build = find_build(builds, id);
	g_autofree gchar *dir = NULL;

	if (id == NULL) {
		g_string_append(html, "<span class=\"muted\">none</span>");
		return;
	}
	if (build != NULL) {
		dir = build_dir(section, build);
	} else {
		dir = g_strdup_printf("%s/%s/%s/", sg_json_get_string(section, "flavour"),
				      sg_json_get_string(section, "image_type"), id);
	}
	g_string_append(html, "<a href=\"");
	append_href(html, dir);
	g_string_append(html, "\">");
	append_text(html, id);
	g_string_append(html, "</a>");
	if (build != NULL && sg_json_get_string(build, "state") != NULL) {
		g_string_append(html, " (");
		append_text(html, sg_json_get_string(build, "state"));
		g_string_append(html, ")");
	}
}

/* The newest build that has a verdict: what the gate last said. */
static JsonObject *
last_judged(JsonArray *builds)
{
	if (builds == NULL)
		return NULL;
	for (guint i = 0; i < json_array_get_length(builds); i++) {
		JsonObject *build = json_array_get_object_element(builds, i);
		if (sg_json_get_string(build, "verdict") != NULL)
			return build;
	}
	return NULL;
}

static void
append_picture(GString *html, JsonObject *build)
{
	const gchar *thumbnail = sg_json_get_string(build, "thumbnail");
	const gchar *screenshot = sg_json_get_string(build, "screenshot");
	const gchar *evidence = sg_json_get_string(build, "evidence");
	const gchar *id = sg_json_get_string(build, "id");

	g_string_append(html, "<div class=\"shot\">");
	if (thumbnail == NULL && screenshot == NULL) {
		g_string_append(html, "<p class=\"muted\">No screenshot of ");
		append_text(html, id);
		g_string_append(html, "</p></div>\n");
		return;
	}
	if (evidence != NULL) {
		g_string_append(html, "<a href=\"");
		append_href(html, evidence);
		g_string_append(html, "\">");
	}
	/* The full screenshot is scaled down by the browser when there is no thumbnail. */
	g_string_append(html, "<img class=\"thumbnail\" src=\"");
	append_href(html, thumbnail != NULL ? thumbnail : screenshot);
	g_string_append_printf(html, "\" width=\"%d\" alt=\"Screenshot of build ", THUMBNAIL_WIDTH);
	append_text(html, id);
	g_string_append(html, "\">");
	if (evidence != NULL)
		g_string_append(html, "</a>");
	g_string_append(html, "<br>Screen of ");
	append_text(html, id);
	if (evidence != NULL) {
		g_string_append(html, " &middot; <a href=\"");
		append_href(html, evidence);
		g_string_append(html, "\">all evidence</a>");
	}
	g_string_append(html, "</div>\n");
}

/* The build id's day: "20261125.1" is a respin of 20261125. */
static gchar *
build_day(const gchar *id)
{
	const gchar *dot = strchr(id, '.');
	return dot != NULL ? g_strndup(id, dot - id) : g_strdup(id);
}

static void
append_respins(GString *html, JsonArray *builds)
{
	g_autofree gchar *day = NULL;
	guint shown = 0;

	if (builds == NULL || json_array_get_length(builds) == 0)
		return;
	day = build_day(sg_json_get_string(json_array_get_object_element(builds, 0), "id"));
	g_string_append(html, "<dt>Respins of ");
	append_text(html, day);
	g_string_append(html, "</dt><dd>");
	for (guint i = 0; i < json_array_get_length(builds); i++) {
		JsonObject *build = json_array_get_object_element(builds, i);
		g_autofree gchar *this_day = build_day(sg_json_get_string(build, "id"));

		if (!sg_json_get_boolean(build, "respin") || g_strcmp0(this_day, day) != 0)
			continue;
		if (shown++ > 0)
			g_string_append(html, ", ");
		append_text(html, sg_json_get_string(build, "id"));
		g_string_append(html, " (");
		append_text(html, sg_json_get_string(build, "state"));
		g_string_append(html, ")");
	}
	if (shown == 0)
		g_string_append(html, "<span class=\"muted\">none</span>");
	g_string_append(html, "</dd>\n");
}

static void
append_yank(GString *html, JsonObject *yanked)
{
	g_string_append(html, "by ");
	append_text(html, sg_json_get_string(yanked, "who") != NULL
				  ? sg_json_get_string(yanked, "who")
				  : "someone");
	if (sg_json_get_string(yanked, "when") != NULL) {
		g_string_append(html, " at ");
		append_time(html, sg_json_get_string(yanked, "when"));
	}
	g_string_append(html, ": ");
	append_text(html, sg_json_get_string(yanked, "why") != NULL
				  ? sg_json_get_string(yanked, "why")
				  : "no reason given");
}

static void
append_yanked(GString *html, JsonArray *builds)
{
	guint shown = 0;

	g_string_append(html, "<dt>Yanked builds</dt>");
	for (guint i = 0; builds != NULL && i < json_array_get_length(builds); i++) {
		JsonObject *build = json_array_get_object_element(builds, i);
		JsonObject *yanked = sg_json_get_object(build, "yanked");

		if (yanked == NULL)
			continue;
		shown++;
		g_string_append(html, "<dd>");
		append_text(html, sg_json_get_string(build, "id"));
		g_string_append(html, " yanked ");
		append_yank(html, yanked);
		g_string_append(html, "</dd>");
	}
	if (shown == 0)
		g_string_append(html, "<dd class=\"muted\">none</dd>");
	g_string_append(html, "\n");
}

static void
append_images(GString *html, JsonObject *section, JsonObject *build)
{
	JsonArray *images = sg_json_get_array(build, "images");
	g_autofree gchar *dir = build_dir(section, build);

	for (guint i = 0; images != NULL && i < json_array_get_length(images); i++) {
		JsonObject *image = json_array_get_object_element(images, i);
		const gchar *file = sg_json_get_string(image, "file");
		const gchar *sha256 = sg_json_get_string(image, "sha256");
		gint64 size = sg_json_get_int(image, "size");
		g_autofree gchar *path = g_build_path("/", dir, file, NULL);

		if (file == NULL)
			continue;
		if (i > 0)
			g_string_append(html, "<br>");
		g_string_append(html, "<a href=\"");
		append_href(html, path);
		g_string_append(html, "\">");
		append_text(html, file);
		g_string_append(html, "</a>");
		if (size >= 0) {
			g_autofree gchar *human = g_format_size((guint64)size);
			g_string_append_printf(html, " (%s)", human);
		}
		if (sha256 != NULL) {
			g_string_append(html, " <code title=\"SHA-256 ");
			append_text(html, sha256);
			g_string_append(html, "\">");
			/* Escaped like every field: a forged record is no markup. */
			{
				g_autofree gchar *shown = g_utf8_substring(
					sha256, 0, MIN(g_utf8_strlen(sha256, -1), 12));
				append_text(html, shown);
			}
			g_string_append(html, "&hellip;</code>");
		}
	}
}

static void
append_events(GString *html, JsonObject *build)
{
	JsonArray *events = sg_json_get_array(build, "events");
	guint count = events != NULL ? json_array_get_length(events) : 0;

	if (count == 0)
		return;
	g_string_append_printf(html, "<details><summary>%u event%s</summary><ul>", count,
			       count == 1 ? "" : "s");
	for (guint i = 0; i < count; i++) {
		JsonObject *event = json_array_get_object_element(events, i);
		g_string_append(html, "<li>");
		append_time(html, sg_json_get_string(event, "when"));
		g_string_append(html, " <strong>");
		append_text(html, sg_json_get_string(event, "what"));
		g_string_append(html, "</strong> by ");
		append_text(html, sg_json_get_string(event, "who"));
		if (sg_json_get_string(event, "why") != NULL) {
			g_string_append(html, ": ");
			append_text(html, sg_json_get_string(event, "why"));
		}
		g_string_append(html, "</li>");
	}
	g_string_append(html, "</ul></details>");
}

/* A build's downstream suites that did not pass, each with its reason:
 * an advisory one did not keep the build back, and says so. */
static void
append_failed_suites(GString *html, JsonObject *build)
{
	JsonArray *suites = sg_json_get_array(build, "suites");

	for (guint i = 0; suites != NULL && i < json_array_get_length(suites); i++) {
		JsonObject *suite = json_array_get_object_element(suites, i);
		const gchar *verdict = sg_json_get_string(suite, "verdict");
		g_autofree gchar *upper = NULL;

		if (verdict == NULL || g_str_equal(verdict, "pass"))
			continue;
		upper = g_ascii_strup(verdict, -1);
		g_string_append_printf(html, "<span class=\"suite\"><strong>%s SUITE %s</strong> ",
				       sg_json_get_boolean(suite, "gating") ? "GATING" : "ADVISORY",
				       upper);
		append_text(html, sg_json_get_string(suite, "name"));
		if (sg_json_get_string(suite, "reason") != NULL) {
			g_string_append(html, ": <span class=\"reason\">");
			append_text(html, sg_json_get_string(suite, "reason"));
			g_string_append(html, "</span>");
		}
		g_string_append(html, "</span><br>");
	}
}

/* " arm64 on HOST": the architecture the guests ran and the lab host a
 * verdict came from, as far as the record says. */
static void
append_host(GString *html, JsonObject *build)
{
	const gchar *host = sg_json_get_string(build, "host");
	const gchar *arch = sg_json_get_string(build, "arch");

	if (host == NULL && arch == NULL)
		return;
	g_string_append(html, " <span class=\"muted\">");
	if (arch != NULL)
		append_text(html, arch);
	if (host != NULL) {
		g_string_append(html, arch != NULL ? " on " : "on ");
		append_text(html, host);
	}
	g_string_append(html, "</span>");
}

static void
append_builds_table(GString *html, JsonObject *section, JsonArray *builds)
{
	if (builds == NULL || json_array_get_length(builds) == 0) {
		g_string_append(html, "<p class=\"muted\">No builds in the tree.</p>\n");
		return;
	}
	g_string_append(html,
			"<table><thead><tr><th>Build</th><th>State</th><th>Verdict</th>"
			"<th>Images</th><th>Notes</th><th>Evidence</th></tr></thead><tbody>\n");
	for (guint i = 0; i < json_array_get_length(builds); i++) {
		JsonObject *build = json_array_get_object_element(builds, i);
		JsonObject *yanked = sg_json_get_object(build, "yanked");
		const gchar *verdict = sg_json_get_string(build, "verdict");
		const gchar *evidence = sg_json_get_string(build, "evidence");
		g_autofree gchar *dir = build_dir(section, build);

		g_string_append(html, "<tr><td><a href=\"");
		append_href(html, dir);
		g_string_append(html, "\">");
		append_text(html, sg_json_get_string(build, "id"));
		g_string_append(html, "</a></td><td>");
		append_text(html, sg_json_get_string(build, "state"));
		g_string_append(html, "</td><td>");
		if (verdict != NULL) {
			append_verdict(html, verdict);
			append_host(html, build);
			if (sg_json_get_string(build, "reason") != NULL) {
				g_string_append(html, " <span class=\"reason\">");
				append_text(html, sg_json_get_string(build, "reason"));
				g_string_append(html, "</span>");
			}
		} else if (sg_json_get_boolean(build, "damaged")) {
			g_string_append(html, "<strong>DAMAGED</strong> <span class=\"reason\">");
			append_text(html, sg_json_get_string(build, "reason"));
			g_string_append(html, "</span>");
		} else {
			g_string_append(html, "<span class=\"muted\">not tested</span>");
		}
		g_string_append(html, "</td><td>");
		append_images(html, section, build);
		g_string_append(html, "</td><td>");
		if (sg_json_get_boolean(build, "respin"))
			g_string_append(html, "respin<br>");
		if (sg_json_get_boolean(build, "oversized"))
			g_string_append(html, "<strong>OVERSIZED</strong><br>");
		if (yanked != NULL) {
			g_string_append(html, "<strong>YANKED</strong> ");
			append_yank(html, yanked);
			g_string_append(html, "<br>");
		}
		append_failed_suites(html, build);
		append_events(html, build);
		g_string_append(html, "</td><td>");
		if (evidence != NULL) {
			g_string_append(html, "<a href=\"");
			append_href(html, evidence);
			g_string_append(html, "\">smoke/</a>");
		}
		if (sg_json_get_string(build, "kept_disk") != NULL) {
			g_string_append(html, "<br><a class=\"disk\" href=\"");
			append_href(html, sg_json_get_string(build, "kept_disk"));
			g_string_append(html, "\" title=\"the installed disk: smokegate suite run "
					      "--disk\">installed disk</a>");
		}
		g_string_append(html, "</td></tr>\n");
	}
	g_string_append(html, "</tbody></table>\n");
}

static gchar *
section_anchor(JsonObject *section)
{
	g_autofree gchar *raw = g_strdup_printf("%s-%s", sg_json_get_string(section, "flavour"),
						sg_json_get_string(section, "image_type"));
	return g_strcanon(g_steal_pointer(&raw),
			  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", '-');
}

static void
append_section(GString *html, JsonObject *section)
{
	JsonArray *builds = sg_json_get_array(section, "builds");
	JsonObject *judged = last_judged(builds);
	const gchar *current = sg_json_get_string(section, "current");
	const gchar *pending = sg_json_get_string(section, "pending");
	g_autofree gchar *anchor = section_anchor(section);
	g_autoptr(GString) failed_suites = g_string_new(NULL);

	g_string_append_printf(html, "<section id=\"%s\">\n<h2>", anchor);
	append_text(html, sg_json_get_string(section, "flavour"));
	g_string_append(html, " / ");
	append_text(html, sg_json_get_string(section, "image_type"));
	g_string_append(html, "</h2>\n");

	if (sg_json_get_boolean(section, "no_daily_build")) {
		const gchar *expected_by = sg_json_get_string(section, "expected_by");
		g_string_append(html, "<p class=\"alert nobuild\">&#9888; No daily build: "
				      "the build did not appear by ");
		append_text(html, expected_by != NULL ? expected_by : "its expected time");
		g_string_append(html, "; it probably failed to build (FTBFS)</p>\n");
	}

	/* The warning is for the builds people are about to use or test. */
	for (guint i = 0; builds != NULL && i < json_array_get_length(builds); i++) {
		JsonObject *build = json_array_get_object_element(builds, i);
		const gchar *id = sg_json_get_string(build, "id");

		if (!sg_json_get_boolean(build, "oversized"))
			continue;
		if (i != 0 && g_strcmp0(id, current) != 0 && g_strcmp0(id, pending) != 0)
			continue;
		g_string_append(html, "<p class=\"alert oversized\">&#9888; Build ");
		append_text(html, id);
		g_string_append(html, ": " OVERSIZED_WARNING "</p>\n");
	}

	g_string_append(html, "<div class=\"summary\">\n");
	if (judged != NULL)
		append_picture(html, judged);
	g_string_append(html, "<dl>\n<dt>Current</dt><dd>");
	append_build_link(html, section, builds, current);
	g_string_append(html, "</dd>\n<dt>Pending</dt><dd>");
	append_build_link(html, section, builds, pending);
	g_string_append(html, "</dd>\n<dt>Last verdict</dt><dd>");
	if (judged != NULL) {
		append_verdict(html, sg_json_get_string(judged, "verdict"));
		g_string_append(html, " for ");
		append_text(html, sg_json_get_string(judged, "id"));
		append_host(html, judged);
		if (sg_json_get_string(judged, "reason") != NULL) {
			g_string_append(html, ": <span class=\"reason\">");
			append_text(html, sg_json_get_string(judged, "reason"));
			g_string_append(html, "</span>");
		}
	} else {
		g_string_append(html, "<span class=\"muted\">no build tested yet</span>");
	}
	g_string_append(html, "</dd>\n");
	if (judged != NULL)
		append_failed_suites(failed_suites, judged);
	if (failed_suites->len > 0) {
		g_string_append(html, "<dt>Downstream suites of ");
		append_text(html, sg_json_get_string(judged, "id"));
		g_string_append(html, "</dt><dd>");
		g_string_append(html, failed_suites->str);
		g_string_append(html, "</dd>\n");
	}
	append_respins(html, builds);
	append_yanked(html, builds);
	g_string_append(html, "</dl>\n</div>\n");
	append_builds_table(html, section, builds);
	g_string_append(html, "</section>\n");
}

/* What a host had for smokegate's guests: how many at once, and the memory
 * and vCPUs it had free for them. A host that was not reached has no
 * figures: zero would read as a host with nothing free. */
static void
append_room(GString *html, JsonObject *host)
{
	gint64 guests = json_object_get_int_member_with_default(host, "max_guests", 0);
	gint64 memory_mib = json_object_get_int_member_with_default(host, "memory_mib", 0);
	gint64 vcpus = json_object_get_int_member_with_default(host, "vcpus", 0);

	g_string_append_printf(html, "up to %" G_GINT64_FORMAT " guest%s at once", guests,
			       guests == 1 ? "" : "s");
	if (memory_mib <= 0 && vcpus <= 0) {
		g_string_append(html, "; <span class=\"muted\">memory and vCPUs not known "
				      "(not reached)</span>");
		return;
	}
	g_string_append_printf(
		html, "; %" G_GINT64_FORMAT " MiB and %" G_GINT64_FORMAT " vCPU%s for them",
		memory_mib, vcpus, vcpus == 1 ? "" : "s");
}

/* What the last gate saw of each lab host: in, or out and why. */
static void
append_lab(GString *html, JsonObject *lab)
{
	JsonArray *hosts = lab != NULL ? sg_json_get_array(lab, "hosts") : NULL;

	if (hosts == NULL || json_array_get_length(hosts) == 0)
		return;
	g_string_append(html,
			"<section id=\"lab\">\n<h2>Lab hosts</h2>\n<p>As the last gate run saw "
			"them, started ");
	append_time(html, sg_json_get_string(lab, "run_started"));
	g_string_append(html, ".</p>\n<table><thead><tr><th>Host</th><th>Connection</th>"
			      "<th>State</th><th>Tests</th><th>Room for guests</th></tr></thead>"
			      "<tbody>\n");
	for (guint i = 0; i < json_array_get_length(hosts); i++) {
		JsonObject *host = json_array_get_object_element(hosts, i);
		gboolean out = g_strcmp0(sg_json_get_string(host, "state"), "out") == 0;
		g_string_append(html, "<tr><td>");
		append_text(html, sg_json_get_string(host, "name"));
		g_string_append(html, "</td><td><code>");
		append_text(html, sg_json_get_string(host, "uri"));
		g_string_append(html, out ? "</code></td><td><strong>out of the run</strong>: "
					    "<span class=\"reason\">"
					  : "</code></td><td>in use<span>");
		append_text(html, sg_json_get_string(host, "reason"));
		g_string_append_printf(html, "</span></td><td>%" G_GINT64_FORMAT "</td><td>",
				       json_object_get_int_member_with_default(host, "tests", 0));
		append_room(html, host);
		g_string_append(html, "</td></tr>\n");
	}
	g_string_append(html, "</tbody></table>\n</section>\n");
}

static gchar *
render_html(JsonObject *status)
{
	g_autoptr(GString) html = g_string_new(NULL);
	JsonArray *sections = sg_json_get_array(status, "flavours");
	JsonArray *damage = sg_json_get_array(status, "damage");
	guint count = sections != NULL ? json_array_get_length(sections) : 0;

	g_string_append(html, "<!DOCTYPE html>\n<html lang=\"en\" data-generated=\"");
	append_text(html, sg_json_get_string(status, "generated"));
	g_string_append(html,
			"\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<title>smokegate: daily image status</title>\n<style>");
	g_string_append(html, page_css);
	g_string_append(html, "</style>\n</head>\n<body>\n<h1>Daily image status</h1>\n"
			      "<p>Written ");
	append_time(html, sg_json_get_string(status, "generated"));
	g_string_append(html, " &middot; machine-readable: <a href=\"status.json\">status.json</a>"
			      " &middot; <span class=\"muted\">while smokegate serve runs, this "
			      "page reloads itself when a newer one is written</span></p>\n");
	/* Every damage of the tree, first: builds past those listed too. */
	for (guint i = 0; damage != NULL && i < json_array_get_length(damage); i++) {
		g_string_append(html, "<p class=\"alert damaged\">&#9888; Damaged: ");
		append_text(html, json_array_get_string_element(damage, i));
		g_string_append(html, "</p>\n");
	}

	if (count > 1) {
		g_string_append(html, "<nav><ul>\n");
		for (guint i = 0; i < count; i++) {
			JsonObject *section = json_array_get_object_element(sections, i);
			g_autofree gchar *anchor = section_anchor(section);
			g_string_append_printf(html, "<li><a href=\"#%s\">", anchor);
			append_text(html, sg_json_get_string(section, "flavour"));
			g_string_append(html, " / ");
			append_text(html, sg_json_get_string(section, "image_type"));
			g_string_append(html, "</a>");
			if (sg_json_get_boolean(section, "no_daily_build"))
				g_string_append(html, " &mdash; <strong>No daily build</strong>");
			g_string_append(html, "</li>\n");
		}
		g_string_append(html, "</ul></nav>\n");
	}
	if (count == 0)
		g_string_append(html, "<p>No image types are configured.</p>\n");
	for (guint i = 0; i < count; i++)
		append_section(html, json_array_get_object_element(sections, i));
	append_lab(html, sg_json_get_object(status, "lab"));
	g_string_append(html, "<script>");
	g_string_append(html, page_script);
	g_string_append(html, "</script>\n</body>\n</html>\n");
	return g_string_free(g_steal_pointer(&html), FALSE);
}

static gboolean
write_atomically(const gchar *path, const gchar *contents, GError **error)
{
	if (!sg_files_write_durably(path, contents, -1, error)) {
		g_prefix_error(error, "cannot write the status page: ");
		return FALSE;
	}
	return TRUE;
}

gboolean
sg_status_page_write(const gchar *tree, JsonNode *status, GError **error)
{
	g_autofree gchar *json = NULL;
	g_autofree gchar *json_line = NULL;
	g_autofree gchar *html = NULL;
	g_autofree gchar *json_path = g_build_filename(tree, "status.json", NULL);
	g_autofree gchar *html_path = g_build_filename(tree, "index.html", NULL);

	g_return_val_if_fail(tree != NULL, FALSE);
	g_return_val_if_fail(status != NULL, FALSE);

	if (!JSON_NODE_HOLDS_OBJECT(status)) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE,
			    "the status model is not a JSON object");
		return FALSE;
	}
	json = json_to_string(status, TRUE);
	json_line = g_strconcat(json, "\n", NULL);
	html = render_html(json_node_get_object(status));

	/* JSON first: a reader of index.html who follows its status.json link gets
	 * data at least as new as the page. */
	if (!write_atomically(json_path, json_line, error))
		return FALSE;
	return write_atomically(html_path, html, error);
}
