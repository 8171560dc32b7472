#include <glib/gstdio.h>

#include "sg-error.h"
#include "sg-prepare.h"
#include "sg-suite.h"

/* Prepare without a guest and without a lab: the command line's checks,
 * the image's identity and the answers, on small ISOs made by xorriso
 * (the tool the test images use). */

typedef struct {
	gchar *dir;
	gchar *flavours; /* a drop-in folder with the profile below */
	gchar *answers;	 /* an answer file naming the user alice */
	gchar *evidence;
} Fixture;

/* A drop-in profile for the ISOs of these tests ("Prepare Test OS ..."). */
static const gchar profile[] = "[Flavour]\n"
			       "Description=prepare's test\n"
			       "Family=debian-installer\n"
			       "DiskInfo=Prepare Test OS *\n"
			       "[Boot]\n"
			       "Kernel=/install.amd/vmlinuz\n"
			       "Initrd=/install.amd/initrd.gz\n"
			       "KernelArgs=console=ttyS0\n"
			       "Answers=smoketest.seed\n"
			       "[Desktop]\n"
			       "DisplayManager=lightdm\n"
			       "ConsoleMarkers=Reached target .*Graphical Interface\n";

static gchar *
fixture_path(Fixture *f, const gchar *name)
{
	return g_build_filename(f->dir, name, NULL);
}

static void
write_file(const gchar *path, const gchar *contents)
{
	g_autofree gchar *dir = g_path_get_dirname(path);

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_assert_true(g_file_set_contents(path, contents, -1, NULL));
}

/* An ISO 9660 image of the files @files (path inside the image, contents;
 * NULL-terminated pairs), volume id @volume_id. */
static gchar *
make_iso(Fixture *f, const gchar *name, const gchar *volume_id, const gchar *const *files)
{
	g_autofree gchar *tree = fixture_path(f, name);
	gchar *iso = g_strconcat(tree, ".iso", NULL);
	const gchar *argv[] = {"xorriso", "-as", "mkisofs", "-quiet", "-R", "-V",
			       volume_id, "-o",	 iso,	    tree,     NULL};
	g_autoptr(GError) error = NULL;
	gint status = -1;

	g_assert_cmpint(g_mkdir_with_parents(tree, 0755), ==, 0);
	for (guint i = 0; files[i] != NULL; i += 2) {
		g_autofree gchar *path = g_build_filename(tree, files[i], NULL);
		write_file(path, files[i + 1]);
	}
	g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
		     NULL, NULL, NULL, NULL, &status, &error);
	g_assert_no_error(error);
	g_assert_cmpint(status, ==, 0);
	return iso;
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autofree gchar *conf = NULL;

	f->dir = g_dir_make_tmp("sg-prepare-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
	f->flavours = fixture_path(f, "flavours");
	conf = g_build_filename(f->flavours, "prepare-test.conf", NULL);
	write_file(conf, profile);
	f->answers = fixture_path(f, "alice.seed");
	write_file(f->answers, "d-i passwd/username string alice\n"
			       "d-i passwd/user-fullname string Alice\n");
	f->evidence = fixture_path(f, "evidence");
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
	g_free(f->flavours);
	g_free(f->answers);
	g_free(f->evidence);
}

/* Options that pass every check; each test spoils one. */
static SgTestOptions
good_options(Fixture *f, const gchar *image)
{
	return (SgTestOptions){
		.image = image,
		.flavours_dir = f->flavours,
		.evidence_dir = f->evidence,
		.accel = "auto",
	};
}

/* Each bad input is a usage error of one line naming it, found before any
 * work: no evidence folder is made. */
static void
test_bad_inputs(Fixture *f, gconstpointer data)
{
	g_autofree gchar *image = fixture_path(f, "image.iso");
	g_autofree gchar *missing = fixture_path(f, "no-such.iso");
	const gchar *no_such_suite[] = {"no-such-suite", NULL};
	struct {
		const gchar *what;
		SgTestOptions options;
		const gchar *message; /* a regex */
	} cases[] = {
		{"missing image", good_options(f, missing), "^.*/no-such\\.iso: no such file$"},
		{"a folder for an image", good_options(f, f->dir), "^.*: not a regular file$"},
		{"missing --flavours-dir", good_options(f, image),
		 "^/no/such/folder: no such folder$"},
		{"missing --answers", good_options(f, image),
		 "^/no/such\\.seed: no such answer file$"},
		{"bad --accel", good_options(f, image), "^--accel must be auto, kvm or tcg$"},
		{"unknown flavour", good_options(f, image),
		 "^unknown flavour 'no-such-flavour' \\(known: .*prepare-test.*\\)$"},
		{"unknown suite", good_options(f, image), "no-such-suite"},
	};

	write_file(image, "not looked at yet");
	cases[2].options.flavours_dir = "/no/such/folder";
	cases[3].options.answers = "/no/such.seed";
	cases[4].options.accel = "warp";
	cases[5].options.flavour = "no-such-flavour";
	cases[6].options.suites = no_such_suite;
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(SgPlan) plan = sg_prepare_check_inputs(&cases[i].options, &error);

		g_test_message("%s: %s", cases[i].what,
			       error != NULL ? error->message : "no error");
		g_assert_null(plan);
		g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
		g_assert_null(strchr(error->message, '\n'));
		g_assert_true(g_regex_match_simple(cases[i].message, error->message, 0, 0));
		g_assert_false(g_file_test(f->evidence, G_FILE_TEST_EXISTS));
	}
}

/* Good inputs: the plan has what they decide, and the evidence folder. */
static void
test_good_inputs(Fixture *f, gconstpointer data)
{
	g_autofree gchar *image = fixture_path(f, "image.iso");
	const gchar *suites[] = {"system-health", NULL};
	SgTestOptions options = good_options(f, image);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;

	write_file(image, "not looked at yet");
	options.accel = "tcg";
	options.flavour = "prepare-test";
	options.suites = suites;
	options.keep_disk = TRUE;
	plan = sg_prepare_check_inputs(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plan->image, ==, image);
	g_assert_cmpint(plan->accel, ==, SG_ACCEL_TCG);
	g_assert_cmpstr(plan->flavour->name, ==, "prepare-test");
	g_assert_cmpuint(plan->selected->len, ==, 1);
	g_assert_cmpstr(((SgSuite *)g_ptr_array_index(plan->selected, 0))->name, ==,
			"system-health");
	g_assert_true(plan->keep_disk);
	g_assert_cmpstr(plan->evidence_dir, ==, f->evidence);
	g_assert_true(g_file_test(f->evidence, G_FILE_TEST_IS_DIR));
	g_assert_null(plan->lab);
	g_assert_null(plan->problem);
}

/* The image's identity: its size and SHA-256, and the flavour its
 * .disk/info names; the flavour's own answer file and its user. */
static void
test_identity(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Prepare Test OS 1.0 \"Tester\" - amd64",
				"install.amd/vmlinuz", "a kernel", NULL};
	g_autofree gchar *iso = make_iso(f, "identity", "PREPARE_TEST", files);
	SgTestOptions options = good_options(f, iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = sg_prepare_check_inputs(&options, &error);
	g_autofree gchar *contents = NULL;
	gsize length = 0;
	g_autofree gchar *sha256 = NULL;

	g_assert_no_error(error);
	g_assert_true(sg_prepare_identify(plan, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(iso, &contents, &length, NULL));
	sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)contents, length);
	g_assert_cmpstr(plan->sha256, ==, sha256);
	g_assert_cmpuint(plan->size, ==, length);
	g_assert_cmpstr(plan->flavour->name, ==, "prepare-test");
	g_assert_null(plan->generic_hint);

	/* No --answers: the flavour's own (smoketest.seed, shipped). */
	g_assert_true(sg_prepare_answers(plan, &options, &error));
	g_assert_no_error(error);
	g_assert_true(g_str_has_suffix(plan->answers_path, "/smoketest.seed"));
	g_assert_nonnull(plan->answers);
	g_assert_nonnull(plan->username);
	g_assert_null(plan->expect); /* no suite asked for */
}

/* --answers: that file, and the user it creates; the suites' expectations
 * come from it. */
static void
test_answers(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Prepare Test OS 2.0", NULL};
	g_autofree gchar *iso = make_iso(f, "answers", "PREPARE_TEST", files);
	const gchar *suites[] = {"system-health", NULL};
	SgTestOptions options = good_options(f, iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;

	options.answers = f->answers;
	options.suites = suites;
	plan = sg_prepare_check_inputs(&options, &error);
	g_assert_no_error(error);
	g_assert_true(sg_prepare_identify(plan, &error));
	g_assert_true(sg_prepare_answers(plan, &options, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(plan->answers_path, ==, f->answers);
	g_assert_cmpstr(plan->username, ==, "alice");
	g_assert_nonnull(plan->expect);
	g_assert_cmpstr(plan->expect->user, ==, "alice");
	g_assert_cmpstr(plan->expect->flavour, ==, "prepare-test");
}

/* A profile whose Suites= names no suite: the test cannot be judged (an
 * error of the run, not the caller's usage), naming the profile. */
static void
test_profile_suites(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Prepare Test OS 3.0", NULL};
	g_autofree gchar *iso = make_iso(f, "suites", "PREPARE_TEST", files);
	g_autofree gchar *conf = g_build_filename(f->flavours, "prepare-test.conf", NULL);
	/* The profile's first group is [Flavour]: its Suites= goes there. */
	g_autofree gchar *with_suites = g_strconcat("[Flavour]\nSuites=no-such-suite\n",
						    profile + strlen("[Flavour]\n"), NULL);
	SgTestOptions options = good_options(f, iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;

	write_file(conf, with_suites);
	options.profile_suites = TRUE;
	plan = sg_prepare_check_inputs(&options, &error);
	g_assert_no_error(error);
	g_assert_true(sg_prepare_identify(plan, &error));
	g_assert_false(sg_prepare_answers(plan, &options, &error));
	g_assert_nonnull(error);
	g_assert_false(g_error_matches(error, SG_ERROR, SG_ERROR_USAGE));
	g_assert_true(g_str_has_prefix(error->message, "the prepare-test profile's Suites=: "));
}

/* A file that is not ISO 9660 is the image's fail, and no flavour judges
 * it, not even one named on the command line. */
static void
test_not_an_iso(Fixture *f, gconstpointer data)
{
	g_autofree gchar *image = fixture_path(f, "random.iso");
	SgTestOptions options = good_options(f, image);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;

	write_file(image, "0123456789abcdef, and nothing like a volume descriptor");
	options.flavour = "prepare-test";
	plan = sg_prepare_check_inputs(&options, &error);
	g_assert_no_error(error);
	g_assert_false(sg_prepare_identify(plan, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
	g_assert_nonnull(plan->sha256);
	g_assert_null(plan->flavour);
}

/* No profile knows the image, but its /live/ layout says live-boot: the
 * generic live profile judges it and boots what the layout holds; the
 * hint says what would judge it precisely. */
static void
test_generic_layout(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Someone's Live 1.0", "live/vmlinuz",
				"a kernel",   "live/initrd.img",    "an initrd",
				NULL};
	g_autofree gchar *iso = make_iso(f, "live", "SOMEONES_LIVE", files);
	SgTestOptions options = good_options(f, iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = sg_prepare_check_inputs(&options, &error);

	g_assert_no_error(error);
	g_assert_true(sg_prepare_identify(plan, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(plan->flavour->name, ==, "generic-live");
	g_assert_true(plan->flavour->generic);
	g_assert_cmpstr(plan->flavour->live_kernel, ==, "/live/vmlinuz");
	g_assert_cmpstr(plan->flavour->live_initrd, ==, "/live/initrd.img");
	g_assert_nonnull(plan->generic_hint);
	g_assert_nonnull(strstr(plan->generic_hint, "DiskInfo= matches 'Someone's Live 1.0'"));
	g_assert_nonnull(strstr(plan->generic_hint, "VolumeId= matches 'SOMEONES_LIVE'"));
}

/* An ISO whose words and layout say nothing: the caller must name its
 * flavour (usage), and is told how. */
static void
test_unknown_image(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Other OS 1.0", NULL};
	g_autofree gchar *iso = make_iso(f, "other", "OTHER_OS", files);
	SgTestOptions options = good_options(f, iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = sg_prepare_check_inputs(&options, &error);

	g_assert_no_error(error);
	g_assert_false(sg_prepare_identify(plan, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "name it with --flavour"));
	g_assert_nonnull(strstr(error->message, "volume id 'OTHER_OS'"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD("/prepare/bad-inputs", test_bad_inputs);
	ADD("/prepare/good-inputs", test_good_inputs);
	ADD("/prepare/identity", test_identity);
	ADD("/prepare/answers", test_answers);
	ADD("/prepare/profile-suites", test_profile_suites);
	ADD("/prepare/not-an-iso", test_not_an_iso);
	ADD("/prepare/generic-layout", test_generic_layout);
	ADD("/prepare/unknown-image", test_unknown_image);
#undef ADD
	return g_test_run();
}
