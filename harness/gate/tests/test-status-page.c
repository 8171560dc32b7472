/* The status page as people see it: written from a model with real PNG
 * evidence in a temporary tree, read back, and rendered by a real headless
 * Chromium (Debian package chromium) to prove that it draws and that the
 * screenshots it links to really load. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "loopback-server.h"
#include "sg-status-page.h"

#define CHROMIUM "/usr/bin/chromium"

static const gchar *const oversized_text =
	"WARNING: This image is OVERSIZED. This should never happen during milestone testing.";

typedef struct {
	gchar *tree;
	gchar *html;
} Page;

static Page page;

/* A made-up desktop: dark background, a panel and a window, so a thumbnail of
 * it is recognisable by eye in the rendered page. */
static void
write_screenshot(const gchar *path, const gchar *thumbnail_path)
{
	g_autoptr(GdkPixbuf) shot = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, 1024, 768);
	g_autofree gchar *folder = g_path_get_dirname(path);
	g_autoptr(GError) error = NULL;
	guchar *pixels = gdk_pixbuf_get_pixels(shot);
	gint stride = gdk_pixbuf_get_rowstride(shot);

	for (gint y = 0; y < 768; y++) {
		for (gint x = 0; x < 1024; x++) {
			guchar *p = pixels + y * stride + x * 3;
			gboolean panel = y < 28;
			gboolean window = x > 200 && x < 800 && y > 150 && y < 550;
			p[0] = panel ? 40 : window ? 230 : 20 + x / 16;
			p[1] = panel ? 40 : window ? 230 : 60 + y / 16;
			p[2] = panel ? 40 : window ? 235 : 120;
		}
	}
	g_assert_cmpint(g_mkdir_with_parents(folder, 0755), ==, 0);
	gdk_pixbuf_save(shot, path, "png", &error, NULL);
	g_assert_no_error(error);
	if (thumbnail_path != NULL) {
		g_autoptr(GdkPixbuf) small =
			gdk_pixbuf_scale_simple(shot, 320, 240, GDK_INTERP_BILINEAR);
		gdk_pixbuf_save(small, thumbnail_path, "png", &error, NULL);
		g_assert_no_error(error);
	}
}

static void
add_string_or_null(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	json_builder_set_member_name(builder, name);
	if (value != NULL)
		json_builder_add_string_value(builder, value);
	else
		json_builder_add_null_value(builder);
}

static void
add_event(JsonBuilder *builder, const gchar *what, const gchar *why)
{
	json_builder_begin_object(builder);
	add_string_or_null(builder, "what", what);
	add_string_or_null(builder, "who", "smokegate");
	add_string_or_null(builder, "when", "2026-11-25T07:00:00Z");
	add_string_or_null(builder, "why", why);
	json_builder_end_object(builder);
}

typedef struct {
	const gchar *id;
	const gchar *state;
	const gchar *verdict;
	const gchar *reason;
	gboolean respin;
	gboolean oversized;
	const gchar *yanked_by; /* NULL: not yanked */
	gboolean screenshot;
	gboolean thumbnail;
	const gchar *advisory_failed; /* a downstream suite's reason, or NULL */
	gboolean kept_disk;
	const gchar *host; /* where the verdict came from, or NULL */
	const gchar *arch; /* what its guests ran, or NULL */
} BuildSpec;

static void
add_build(JsonBuilder *builder, const gchar *flavour, const BuildSpec *spec)
{
	g_autofree gchar *dir = g_strdup_printf("%s/daily-live/%s/", flavour, spec->id);
	g_autofree gchar *evidence = g_strconcat(dir, "smoke/", NULL);
	g_autofree gchar *screenshot = g_strconcat(evidence, "screenshot.png", NULL);
	g_autofree gchar *thumbnail = g_strconcat(evidence, "thumbnail.png", NULL);
	g_autofree gchar *kept_disk = g_strconcat(evidence, "installed.qcow2", NULL);

	json_builder_begin_object(builder);
	add_string_or_null(builder, "id", spec->id);
	add_string_or_null(builder, "state", spec->state);
	add_string_or_null(builder, "verdict", spec->verdict);
	add_string_or_null(builder, "reason", spec->reason);
	add_string_or_null(builder, "host", spec->host);
	add_string_or_null(builder, "arch", spec->arch);
	json_builder_set_member_name(builder, "respin");
	json_builder_add_boolean_value(builder, spec->respin);
	json_builder_set_member_name(builder, "oversized");
	json_builder_add_boolean_value(builder, spec->oversized);
	json_builder_set_member_name(builder, "yanked");
	if (spec->yanked_by != NULL) {
		json_builder_begin_object(builder);
		add_string_or_null(builder, "who", spec->yanked_by);
		add_string_or_null(builder, "when", "2026-11-24T12:00:00Z");
		add_string_or_null(builder, "why", "installer <crash> & no network");
		json_builder_end_object(builder);
	} else {
		json_builder_add_null_value(builder);
	}
	json_builder_set_member_name(builder, "images");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	add_string_or_null(builder, "file", "noble-desktop-amd64.iso");
	json_builder_set_member_name(builder, "size");
	json_builder_add_int_value(builder, spec->oversized ? 5100000000 : 4200000000);
	add_string_or_null(builder, "sha256",
			   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	add_string_or_null(builder, "evidence", spec->verdict != NULL ? evidence : NULL);
	add_string_or_null(builder, "screenshot", spec->screenshot ? screenshot : NULL);
	add_string_or_null(builder, "thumbnail", spec->thumbnail ? thumbnail : NULL);
	add_string_or_null(builder, "kept_disk", spec->kept_disk ? kept_disk : NULL);
	json_builder_set_member_name(builder, "suites");
	json_builder_begin_array(builder);
	if (spec->advisory_failed != NULL) {
		json_builder_begin_object(builder);
		add_string_or_null(builder, "name", "unity");
		json_builder_set_member_name(builder, "gating");
		json_builder_add_boolean_value(builder, FALSE);
		add_string_or_null(builder, "verdict", "fail");
		add_string_or_null(builder, "reason", spec->advisory_failed);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "events");
	json_builder_begin_array(builder);
	add_event(builder, "staged", NULL);
	if (spec->verdict != NULL)
		add_event(builder, spec->state, spec->reason);
	json_builder_end_array(builder);
	json_builder_end_object(builder);

	if (spec->screenshot) {
		g_autofree gchar *shot_path = g_build_filename(page.tree, screenshot, NULL);
		g_autofree gchar *thumb_path = g_build_filename(page.tree, thumbnail, NULL);
		write_screenshot(shot_path, spec->thumbnail ? thumb_path : NULL);
	}
}

static void
begin_section(JsonBuilder *builder, const gchar *flavour, const gchar *current,
	      const gchar *pending, gboolean no_daily_build)
{
	json_builder_begin_object(builder);
	add_string_or_null(builder, "flavour", flavour);
	add_string_or_null(builder, "image_type", "daily-live");
	add_string_or_null(builder, "current", current);
	add_string_or_null(builder, "pending", pending);
	json_builder_set_member_name(builder, "no_daily_build");
	json_builder_add_boolean_value(builder, no_daily_build);
	add_string_or_null(builder, "expected_by", "06:00");
	json_builder_set_member_name(builder, "builds");
	json_builder_begin_array(builder);
}

static void
end_section(JsonBuilder *builder)
{
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

/* ubuntu passed (screenshot and thumbnail, an advisory suite failed, its
 * installed disk kept, an older build yanked); kubuntu's respin failed and
 * is oversized (screenshot only); xubuntu's build is late. */
static void
add_host(JsonBuilder *builder, const gchar *name, const gchar *state, const gchar *reason,
	 gint64 memory_mib, gint64 vcpus)
{
	json_builder_begin_object(builder);
	add_string_or_null(builder, "name", name);
	add_string_or_null(builder, "uri", "qemu+ssh://lab/system");
	add_string_or_null(builder, "state", state);
	if (reason != NULL)
		add_string_or_null(builder, "reason", reason);
	json_builder_set_member_name(builder, "max_guests");
	json_builder_add_int_value(builder, 1);
	json_builder_set_member_name(builder, "memory_mib");
	json_builder_add_int_value(builder, memory_mib);
	json_builder_set_member_name(builder, "vcpus");
	json_builder_add_int_value(builder, vcpus);
	json_builder_set_member_name(builder, "tests");
	json_builder_add_int_value(builder, memory_mib > 0 ? 2 : 0);
	json_builder_end_object(builder);
}

/* The last gate's view of the lab: a host used, one that was not reached. */
static void
add_lab(JsonBuilder *builder)
{
	json_builder_set_member_name(builder, "lab");
	json_builder_begin_object(builder);
	add_string_or_null(builder, "run_started", "2026-11-25T19:30:05.5Z");
	json_builder_set_member_name(builder, "hosts");
	json_builder_begin_array(builder);
	add_host(builder, "lab1", "in", NULL, 12288, 6);
	add_host(builder, "lab2", "out", "cannot connect to qemu+ssh://lab2/system", 0, 0);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

static JsonNode *
make_model(void)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	const BuildSpec ubuntu_passed = {
		.id = "20261125",
		.state = "marked-current",
		.verdict = "pass",
		.screenshot = TRUE,
		.thumbnail = TRUE,
		.advisory_failed = "test 3 'the launcher has its favourites' failed",
		.kept_disk = TRUE,
		.host = "lab1",
		.arch = "arm64",
	};
	const BuildSpec ubuntu_yanked = {"20261124", "yanked", "pass", NULL, FALSE,
					 FALSE,	     "alice",  FALSE,  FALSE};
	const BuildSpec kubuntu_respin = {
		"20261125.1",
		"failed",
		"fail",
		"install: kernel panic: Kernel panic - not syncing: VFS: Unable to mount root fs "
		"on unknown-block(0,0) <ESC>[0m",
		TRUE,
		TRUE,
		NULL,
		TRUE,
		FALSE};
	const BuildSpec kubuntu_error = {
		"20261125", "error",
		"error",    "the lab could not judge the image: libvirt went away",
		FALSE,	    FALSE,
		NULL,	    FALSE,
		FALSE};
	const BuildSpec kubuntu_current = {
		"20261124", "marked-current", "pass", NULL, FALSE, FALSE, NULL, FALSE, FALSE};
	const BuildSpec xubuntu_old = {"20261123", "passed", "pass", NULL, FALSE,
				       FALSE,	   NULL,     FALSE,  FALSE};

	json_builder_begin_object(builder);
	add_string_or_null(builder, "generated", "2026-11-25T20:00:00.123456Z");
	json_builder_set_member_name(builder, "flavours");
	json_builder_begin_array(builder);

	begin_section(builder, "ubuntu", "20261125", "20261125", FALSE);
	add_build(builder, "ubuntu", &ubuntu_passed);
	add_build(builder, "ubuntu", &ubuntu_yanked);
	end_section(builder);

	begin_section(builder, "kubuntu", "20261124", "20261125.1", FALSE);
	add_build(builder, "kubuntu", &kubuntu_respin);
	add_build(builder, "kubuntu", &kubuntu_error);
	add_build(builder, "kubuntu", &kubuntu_current);
	end_section(builder);

	begin_section(builder, "xubuntu", "20261123", "20261123", TRUE);
	add_build(builder, "xubuntu", &xubuntu_old);
	end_section(builder);

	json_builder_end_array(builder);
	add_lab(builder);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

static void
test_write(void)
{
	g_autoptr(JsonNode) model = make_model();
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *json_path = g_build_filename(page.tree, "status.json", NULL);
	g_autofree gchar *html_path = g_build_filename(page.tree, "index.html", NULL);
	g_autofree gchar *kubuntu = NULL;

	g_assert_true(sg_status_page_write(page.tree, model, &error));
	g_assert_no_error(error);

	json_parser_load_from_file(parser, json_path, &error);
	g_assert_no_error(error);
	g_assert_true(json_node_equal(json_parser_get_root(parser), model));

	g_file_get_contents(html_path, &page.html, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_utf8_validate(page.html, -1, NULL));

	/* The texts people look for. */
	g_assert_nonnull(strstr(page.html, oversized_text));
	g_assert_nonnull(strstr(page.html, "No daily build"));
	g_assert_nonnull(
		strstr(page.html,
		       "the build did not appear by 06:00; it probably failed to build (FTBFS)"));
	g_assert_nonnull(strstr(page.html, "Kernel panic - not syncing: VFS"));
	g_assert_nonnull(strstr(page.html, "yanked by alice"));
	g_assert_nonnull(strstr(page.html, "Respins of 20261125</dt><dd>20261125.1 (failed)"));
	g_assert_nonnull(strstr(page.html, "FAIL"));
	g_assert_nonnull(strstr(page.html, "PASS"));
	g_assert_nonnull(strstr(page.html, "ERROR"));
	/* The architecture its guests ran, beside the lab host. */
	g_assert_nonnull(strstr(page.html, "<span class=\"muted\">arm64 on lab1</span>"));
	g_assert_nonnull(
		strstr(page.html, "src=\"ubuntu/daily-live/20261125/smoke/thumbnail.png\""));
	/* No thumbnail: the screenshot itself, scaled to the thumbnail's width. */
	g_assert_nonnull(strstr(
		page.html, "src=\"kubuntu/daily-live/20261125.1/smoke/screenshot.png\" width="));
	g_assert_nonnull(strstr(page.html, "href=\"kubuntu/daily-live/20261125.1/smoke/\""));
	/* The published build's advisory suite failure, in its row and in the
	 * section's summary, and its kept disk. */
	g_assert_nonnull(strstr(page.html, "Downstream suites of 20261125</dt><dd>"
					   "<span class=\"suite\"><strong>ADVISORY SUITE "
					   "FAIL</strong> unity: <span class=\"reason\">test 3 "
					   "&apos;the launcher has its favourites&apos; failed"));
	g_assert_nonnull(
		strstr(page.html, "href=\"ubuntu/daily-live/20261125/smoke/installed.qcow2\""));

	/* Times in local time (TZ=UTC here) to the second, the exact one kept
	 * for the script; the page says when it was written. */
	g_assert_nonnull(strstr(page.html, "Written <time datetime=\"2026-11-25T20:00:00.123456Z\">"
					   "2026-11-25 20:00:00 UTC</time>"));
	g_assert_nonnull(strstr(page.html, "data-generated=\"2026-11-25T20:00:00.123456Z\""));
	g_assert_nonnull(strstr(page.html, "<time datetime=\"2026-11-25T07:00:00Z\">"
					   "2026-11-25 07:00:00 UTC</time>"));
	g_assert_null(strstr(page.html, ">2026-11-25T"));
	/* The lab: each host's room in words that add up. */
	g_assert_nonnull(
		strstr(page.html, "up to 1 guest at once; 12288 MiB and 6 vCPUs for them"));
	g_assert_nonnull(strstr(page.html,
				"up to 1 guest at once; <span class=\"muted\">memory and vCPUs "
				"not known (not reached)</span>"));
	g_assert_null(strstr(page.html, "0 MiB"));

	/* The oversize warning belongs to kubuntu's section, not ubuntu's. */
	kubuntu = g_strdup(strstr(page.html, "<section id=\"kubuntu-daily-live\""));
	g_assert_nonnull(kubuntu);
	*strstr(kubuntu, "</section>") = '\0';
	g_assert_nonnull(strstr(kubuntu, oversized_text));
	{
		g_autofree gchar *ubuntu =
			g_strdup(strstr(page.html, "<section id=\"ubuntu-daily-live\""));
		g_assert_nonnull(ubuntu);
		*strstr(ubuntu, "</section>") = '\0';
		g_assert_null(strstr(ubuntu, oversized_text));
	}

	/* Escaped, self-contained, no script. */
	g_assert_null(strstr(page.html, "<crash>"));
	g_assert_nonnull(strstr(page.html, "installer &lt;crash&gt; &amp; no network"));
	g_assert_null(strstr(page.html, "<ESC>"));
	/* One inline script (times' age, the reload), nothing loaded from elsewhere. */
	g_assert_nonnull(strstr(page.html, "<script>"));
	g_assert_null(strstr(strstr(page.html, "<script>") + 1, "<script"));
	g_assert_null(strstr(page.html, "<script src"));
	g_assert_null(strstr(page.html, "http://"));
	g_assert_null(strstr(page.html, "https://"));
	g_assert_null(strstr(page.html, "<link"));

	/* Written atomically: no temporary file is left beside them. */
	{
		g_autoptr(GDir) dir = g_dir_open(page.tree, 0, &error);
		const gchar *name;
		g_assert_no_error(error);
		while ((name = g_dir_read_name(dir)) != NULL)
			g_assert_false(g_str_has_prefix(name, "index.html.") ||
				       g_str_has_prefix(name, "status.json."));
	}
}

typedef struct {
	GMainLoop *loop;
	gchar *out;
	gchar *err;
	gboolean timed_out;
	gboolean done;
} Run;

static void
run_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Run *run = user_data;
	g_autoptr(GError) error = NULL;

	g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), result, &run->out, &run->err,
					     &error);
	g_assert_no_error(error);
	run->done = TRUE;
	g_main_loop_quit(run->loop);
}

static gboolean
run_timeout(gpointer user_data)
{
	Run *run = user_data;

	run->timed_out = TRUE;
	g_main_loop_quit(run->loop);
	return G_SOURCE_REMOVE;
}

/* Runs headless Chromium with @args after the common switches; returns its
 * stdout. It must exit 0 within a minute. */
static gchar *
chromium(const gchar *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *profile = g_build_filename(page.tree, ".chromium-profile", NULL);
	Run run = {loop, NULL, NULL, FALSE, FALSE};
	guint timeout;

	if (page.html == NULL) {
		g_test_skip("the page was not written");
		return NULL;
	}
	if (!g_file_test(CHROMIUM, G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_fail_printf("%s is missing: install the Debian package chromium", CHROMIUM);
		return NULL;
	}
	g_ptr_array_add(argv, g_strdup(CHROMIUM));
	g_ptr_array_add(argv, g_strdup("--headless"));
	g_ptr_array_add(argv, g_strdup("--no-sandbox"));
	g_ptr_array_add(argv, g_strdup("--disable-gpu"));
	g_ptr_array_add(argv, g_strdup("--disable-quic"));
	g_ptr_array_add(argv, g_strdup("--no-first-run"));
	g_ptr_array_add(argv, g_strdup("--disable-background-networking"));
	g_ptr_array_add(argv, g_strdup("--disable-component-update"));
	g_ptr_array_add(argv, g_strdup("--disable-sync"));
	g_ptr_array_add(argv, g_strdup("--disable-dev-shm-usage"));
	g_ptr_array_add(argv, g_strdup("--hide-scrollbars"));
	g_ptr_array_add(argv, g_strdup("--force-device-scale-factor=1"));
	g_ptr_array_add(argv, g_strdup_printf("--user-data-dir=%s", profile));
	for (guint i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(args[i]));
	g_ptr_array_add(argv, NULL);

	process = g_subprocess_newv((const gchar *const *)argv->pdata,
				    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
				    &error);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8_async(process, NULL, NULL, run_done, &run);
	timeout = g_timeout_add_seconds(60, run_timeout, &run);
	g_main_loop_run(loop);
	if (run.timed_out) {
		g_subprocess_force_exit(process);
		while (!run.done)
			g_main_context_iteration(NULL, TRUE);
		g_test_message("chromium stderr:\n%s", run.err);
		g_test_fail_printf("chromium did not finish within 60 s");
		g_free(run.out);
		g_free(run.err);
		return NULL;
	}
	g_source_remove(timeout);
	if (!g_subprocess_get_if_exited(process) || g_subprocess_get_exit_status(process) != 0) {
		g_test_message("chromium stderr:\n%s", run.err);
		g_test_fail_printf("chromium failed (status %d)", g_subprocess_get_status(process));
	}
	g_free(run.err);
	return run.out;
}

static void
test_render(void)
{
	g_autofree gchar *png = g_build_filename(page.tree, "rendered.png", NULL);
	g_autofree gchar *screenshot_arg = g_strdup_printf("--screenshot=%s", png);
	g_autofree gchar *uri = g_strdup_printf("file://%s/index.html", page.tree);
	const gchar *args[] = {screenshot_arg, "--window-size=1200,900", uri, NULL};
	g_autoptr(GdkPixbuf) rendered = NULL;
	g_autoptr(GHashTable) colours = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	gint64 started = g_get_monotonic_time();
	const guchar *pixels;
	gint stride, channels;

	out = chromium(args);
	if (out == NULL || g_test_failed())
		return;
	g_test_message("chromium screenshot took %.1f s",
		       (g_get_monotonic_time() - started) / (gdouble)G_USEC_PER_SEC);

	rendered = gdk_pixbuf_new_from_file(png, &error);
	g_assert_no_error(error);
	g_assert_cmpint(gdk_pixbuf_get_width(rendered), ==, 1200);
	g_assert_cmpint(gdk_pixbuf_get_height(rendered), ==, 900);

	/* Text, borders and a thumbnail make many colours; a blank page has one. */
	pixels = gdk_pixbuf_read_pixels(rendered);
	stride = gdk_pixbuf_get_rowstride(rendered);
	channels = gdk_pixbuf_get_n_channels(rendered);
	for (gint y = 0; y < 900; y += 2) {
		for (gint x = 0; x < 1200; x += 2) {
			const guchar *p = pixels + y * stride + x * channels;
			g_hash_table_add(colours, GUINT_TO_POINTER(p[0] << 16 | p[1] << 8 | p[2]));
		}
	}
	g_test_message("rendered page: %u colours", g_hash_table_size(colours));
	g_assert_cmpuint(g_hash_table_size(colours), >, 50);

	/* For people to look at: one a user, so that another user's copy does not
	 * stand in the way. */
	{
		g_autofree gchar *name = g_strdup_printf("status-page-%s.png", g_get_user_name());
		g_autofree gchar *path = g_build_filename(g_get_tmp_dir(), name, NULL);
		g_autoptr(GFile) from = g_file_new_for_path(png);
		g_autoptr(GFile) to = g_file_new_for_path(path);
		g_file_copy(from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
		g_assert_no_error(error);
	}
}

/* The exact src attributes of the page's <img> elements (still markup-escaped,
 * which is how they go into the probe page too). */
static GPtrArray *
page_images(const gchar *html)
{
	g_autoptr(GRegex) regex = g_regex_new("<img [^>]*src=\"([^\"]+)\"", 0, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	GPtrArray *sources = g_ptr_array_new_with_free_func(g_free);

	g_regex_match(regex, html, 0, &match);
	while (g_match_info_matches(match)) {
		g_ptr_array_add(sources, g_match_info_fetch(match, 1));
		g_match_info_next(match, NULL);
	}
	return sources;
}

/* Every picture the page shows loads, from where the page sits; and a picture
 * that is not there reads "broken", so this check can fail. */
static void
test_images_load(void)
{
	g_autoptr(GPtrArray) sources = NULL;
	g_autoptr(GString) probe = g_string_new("<!DOCTYPE html>\n<html><body>\n");
	g_autofree gchar *probe_path = g_build_filename(page.tree, "probe.html", NULL);
	g_autofree gchar *uri = g_strdup_printf("file://%s", probe_path);
	const gchar *args[] = {"--virtual-time-budget=5000", "--dump-dom", uri, NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dom = NULL;
	gint64 started = g_get_monotonic_time();

	if (page.html == NULL) {
		g_test_skip("the page was not written");
		return;
	}
	sources = page_images(page.html);
	g_assert_cmpuint(sources->len, ==, 2);
	g_ptr_array_add(sources, g_strdup("kubuntu/daily-live/20261125/smoke/screenshot.png"));
	for (guint i = 0; i < sources->len; i++) {
		g_string_append_printf(
			probe,
			"<p id=\"i%u\">pending <img src=\"%s\" "
			"onload=\"this.parentNode.textContent='i%u loaded '+this.naturalWidth\" "
			"onerror=\"this.parentNode.textContent='i%u broken'\"></p>\n",
			i, (const gchar *)sources->pdata[i], i, i);
	}
	g_string_append(probe, "</body></html>\n");
	g_file_set_contents(probe_path, probe->str, -1, &error);
	g_assert_no_error(error);

	dom = chromium(args);
	if (g_test_failed())
		return;
	g_test_message("chromium DOM dump took %.1f s:\n%s",
		       (g_get_monotonic_time() - started) / (gdouble)G_USEC_PER_SEC, dom);
	/* The thumbnail at its own width, the bare screenshot at full size. */
	g_assert_nonnull(strstr(dom, "i0 loaded 320"));
	g_assert_nonnull(strstr(dom, "i1 loaded 1024"));
	g_assert_nonnull(strstr(dom, "i2 broken"));
	g_assert_null(strstr(dom, "pending"));
}

/* The page's script ran: each time has how long ago beside it. */
static void
test_ages(void)
{
	g_autofree gchar *uri = g_strdup_printf("file://%s/index.html", page.tree);
	const gchar *args[] = {"--virtual-time-budget=5000", "--dump-dom", uri, NULL};
	g_autoptr(GRegex) age = g_regex_new("</time><span class=\"ago muted\"> \\([0-9]+ "
					    "(s|min|days|h [0-9]+ min) ago\\)</span>",
					    0, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	g_autofree gchar *dom = NULL;
	g_auto(GStrv) times = NULL;
	guint ages = 0;

	dom = chromium(args);
	if (dom == NULL || g_test_failed())
		return;
	g_regex_match(age, dom, 0, &match);
	while (g_match_info_matches(match)) {
		ages++;
		g_match_info_next(match, NULL);
	}
	g_test_message("%u times with their age", ages);
	/* Written, the lab's run, and every event and yank. */
	times = g_strsplit(page.html, "<time ", -1);
	g_assert_cmpuint(ages, ==, g_strv_length(times) - 1);
	g_assert_cmpuint(ages, >=, 3);
}

/* The tree served over HTTP, as a web server would: GET of a file of the
 * tree. The first GET of /index.html may be given an older page (what a
 * reader opened before serve wrote the newer one). Counts the GETs. */
typedef struct {
	SgLoopbackServer server;
	GMutex lock;
	gchar *first_index;
	guint index_gets;
	guint status_gets;
} TreeServer;

static gboolean
tree_server_run(GThreadedSocketService *service, GSocketConnection *connection, GObject *source,
		gpointer user_data)
{
	TreeServer *server = user_data;
	const gchar *type = "text/plain";
	gsize length = 0;
	g_auto(GStrv) words = NULL;
	g_autofree gchar *head = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDataInputStream) in =
		g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(connection)));
	g_autofree gchar *request = sg_loopback_read_request(in, headers);
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(connection));

	if (request == NULL)
		return TRUE;
	words = g_strsplit(request, " ", 3);
	if (g_strv_length(words) >= 2 && g_str_equal(words[0], "GET") &&
	    strstr(words[1], "..") == NULL) {
		g_autofree gchar *path = g_build_filename(page.tree, words[1], NULL);

		g_mutex_lock(&server->lock);
		if (g_str_equal(words[1], "/index.html")) {
			type = "text/html";
			if (server->index_gets++ == 0 && server->first_index != NULL)
				body = g_strdup(server->first_index);
		} else if (g_str_equal(words[1], "/status.json")) {
			type = "application/json";
			server->status_gets++;
		}
		g_mutex_unlock(&server->lock);
		if (body != NULL)
			length = strlen(body);
		else if (!g_file_get_contents(path, &body, &length, NULL))
			g_clear_pointer(&body, g_free);
	}
	head = body != NULL ? g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
					      "Content-Length: %" G_GSIZE_FORMAT "\r\n"
					      "Connection: close\r\n\r\n",
					      type, length)
			    : g_strdup("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
				       "Connection: close\r\n\r\n");
	g_output_stream_write_all(out, head, strlen(head), NULL, NULL, NULL);
	if (body != NULL)
		g_output_stream_write_all(out, body, length, NULL, NULL, NULL);
	g_io_stream_close(G_IO_STREAM(connection), NULL, NULL);
	return TRUE;
}

/* Loads the page over HTTP in Chromium for @seconds of the page's own
 * (virtual) time; returns the DOM at the end. */
static gchar *
load_served(TreeServer *server, guint seconds)
{
	g_autofree gchar *uri = NULL;
	g_autofree gchar *budget = g_strdup_printf("--virtual-time-budget=%u", seconds * 1000);
	const gchar *args[] = {budget, "--dump-dom", NULL, NULL};
	gchar *dom;

	g_mutex_init(&server->lock);
	sg_loopback_server_init(&server->server, 4, G_CALLBACK(tree_server_run), server);
	sg_loopback_server_start(&server->server);
	uri = g_strdup_printf("http://127.0.0.1:%u/index.html", server->server.port);
	args[2] = uri;
	dom = chromium(args);
	sg_loopback_server_clear(&server->server);
	g_mutex_clear(&server->lock);
	return dom;
}

/* While serve rewrites the page, a reader's page follows: it reloads once
 * status.json says a newer page was written, and not while it is current. */
static void
test_reload(void)
{
	g_autoptr(JsonNode) model = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dom = NULL;
	TreeServer current = {0};
	TreeServer newer = {0};

	/* The page as written: nothing newer, no reload in 70 s. */
	dom = load_served(&current, 70);
	if (dom == NULL || g_test_failed())
		return;
	g_test_message("current page: %u GETs of index.html, %u of status.json", current.index_gets,
		       current.status_gets);
	g_assert_cmpuint(current.status_gets, >=, 2);
	g_assert_cmpuint(current.index_gets, ==, 1);
	g_clear_pointer(&dom, g_free);

	/* serve writes a newer page while the reader has the old one. */
	model = make_model();
	json_object_set_string_member(json_node_get_object(model), "generated",
				      "2026-11-25T20:05:00Z");
	newer.first_index = g_strdup(page.html);
	g_assert_true(sg_status_page_write(page.tree, model, &error));
	g_assert_no_error(error);
	dom = load_served(&newer, 70);
	g_free(newer.first_index);
	if (dom == NULL || g_test_failed())
		return;
	g_test_message("newer page: %u GETs of index.html, %u of status.json", newer.index_gets,
		       newer.status_gets);
	g_assert_cmpuint(newer.index_gets, ==, 2);
	g_assert_nonnull(strstr(dom, "data-generated=\"2026-11-25T20:05:00Z\""));
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *command = NULL;
	int status;

	g_test_init(&argc, &argv, NULL);
	/* The page shows local times: UTC here, so the test reads the same anywhere. */
	g_setenv("TZ", "UTC", TRUE);
	page.tree = g_dir_make_tmp("sg-status-page-XXXXXX", &error);
	g_assert_no_error(error);

	g_test_add_func("/status-page/write", test_write);
	g_test_add_func("/status-page/render", test_render);
	g_test_add_func("/status-page/images-load", test_images_load);
	g_test_add_func("/status-page/ages", test_ages);
	g_test_add_func("/status-page/reload", test_reload);
	status = g_test_run();

	/* SG_KEEP_TREE=1 keeps the tree, to open its index.html in a browser. */
	if (g_getenv("SG_KEEP_TREE") != NULL) {
		g_printerr("kept %s\n", page.tree);
	} else {
		command = g_strdup_printf("rm -rf '%s'", page.tree);
		if (system(command) != 0)
			g_printerr("cannot remove %s\n", page.tree);
	}
	g_free(page.tree);
	g_free(page.html);
	return status;
}
