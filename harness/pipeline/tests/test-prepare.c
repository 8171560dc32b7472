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
		{"bad --arch", good_options(f, image),
		 "^--arch must be one of amd64, i386, arm64, ppc64el$"},
		{"an --arch with no guests", good_options(f, image),
		 "^--arch must be one of amd64, i386, arm64, ppc64el \\(no guests of that "
		 "architecture yet\\)$"},
		{"bad [Guest] Arch=", good_options(f, image),
		 "^.*/bad-arch\\.conf:4: \\[Guest\\] Arch must be one of amd64, i386, arm64, "
		 "ppc64el, not vax$"},
	};
	g_autofree gchar *bad_arch_dir = fixture_path(f, "bad-arch");
	g_autofree gchar *bad_arch = g_build_filename(bad_arch_dir, "bad-arch.conf", NULL);

	write_file(image, "not looked at yet");
	cases[2].options.flavours_dir = "/no/such/folder";
	cases[3].options.answers = "/no/such.seed";
	cases[4].options.accel = "warp";
	cases[5].options.flavour = "no-such-flavour";
	cases[6].options.suites = no_such_suite;
	cases[7].options.arch = "vax";
	cases[8].options.arch = "s390x";
	write_file(bad_arch, "[Flavour]\nFamily=live\n[Guest]\nArch=vax\n");
	cases[9].options.flavours_dir = bad_arch_dir;
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

/* The profile of these tests, with @guest's lines in its [Guest] group. */
static void
write_profile(Fixture *f, const gchar *guest)
{
	g_autofree gchar *conf = g_build_filename(f->flavours, "prepare-test.conf", NULL);
	g_autofree gchar *text = g_strconcat(profile, "[Guest]\n", guest, NULL);

	write_file(conf, text);
}

/* A plan made up to its boot: identify, answers and boot all pass. */
static SgPlan *
plan_boot(const SgTestOptions *options, GError **error)
{
	g_autoptr(SgPlan) plan = sg_prepare_check_inputs(options, error);

	g_assert_nonnull(plan);
	if (!sg_prepare_identify(plan, error) || !sg_prepare_answers(plan, options, error) ||
	    !sg_prepare_boot(plan, options, error))
		return NULL;
	return g_steal_pointer(&plan);
}

/* .disk/info's word decides the guests' architecture: an arm64 image's
 * kernel writes to ttyAMA0, and is started by UEFI even when booted
 * directly (a virt machine has no BIOS). */
static void
test_arch_from_disk_info(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Prepare Test OS 1.0 - arm64 (20261207)",
				"install.amd/vmlinuz", "a kernel", NULL};
	g_autofree gchar *iso = make_iso(f, "arm64-info", "PREPARE_TEST", files);
	SgTestOptions options = good_options(f, iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;

	options.boot = "direct";
	plan = plan_boot(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plan->arch, ==, "arm64");
	g_assert_cmpstr(plan->arch_source, ==, ".disk/info");
	g_assert_cmpstr(plan->flavour->kernel_args, ==, "console=ttyAMA0");
	g_assert_cmpint(g_array_index(plan->firmwares, SgFirmwareEntry, 0).firmware, ==,
			SG_FIRMWARE_UEFI);
}

/* An arm64 image on an x86_64 host: its limits are the profile's times the
 * lab file's factor, else the profile's; a guest of the host's own
 * architecture (i386 on amd64 too) keeps them; a time-out says why. */
static void
test_emulation_limits(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Prepare Test OS 1.0 - arm64 (20261207)",
				"install.amd/vmlinuz", "a kernel", NULL};
	g_autofree gchar *iso = make_iso(f, "arm64-slow", "PREPARE_TEST", files);
	SgTestOptions options = good_options(f, iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;
	g_autofree gchar *words = NULL;
	g_autofree gchar *native_words = NULL;

	options.boot = "direct";
	plan = plan_boot(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpfloat(plan->limit_factor, ==, 1.0); /* before the lab is known */
	g_assert_cmpuint(sg_plan_limit(plan, 300), ==, 300);

	sg_prepare_emulation(plan, &options, "amd64");
	g_assert_cmpstr(plan->emulation, ==, "arm64 on an x86_64 host");
	g_assert_cmpfloat(plan->limit_factor, ==, plan->flavour->emulation_factor);
	g_assert_cmpuint(sg_plan_limit(plan, 300), ==, 600); /* the default: 2 */
	words = sg_plan_emulation_words(plan);
	g_assert_cmpstr(words, ==, " (under emulation, arm64 on an x86_64 host)");

	options.emulation_factor = 1.5; /* the lab file's, for the host */
	sg_prepare_emulation(plan, &options, "amd64");
	g_assert_cmpuint(sg_plan_limit(plan, 2700), ==, 4050);

	sg_prepare_emulation(plan, &options, "arm64");
	g_assert_null(plan->emulation);
	g_assert_cmpuint(sg_plan_limit(plan, 2700), ==, 2700);
	native_words = sg_plan_emulation_words(plan);
	g_assert_cmpstr(native_words, ==, "");

	g_free(plan->arch);
	plan->arch = g_strdup("i386");
	sg_prepare_emulation(plan, &options, "amd64");
	g_assert_null(plan->emulation);
	g_assert_cmpfloat(plan->limit_factor, ==, 1.0);
}

/* A ppc64el image (Debian's ppc64el netinst: /install/vmlinux, no El
 * Torito entry) is booted directly whatever was asked, under SLOF, its own
 * layout's kernel rather than the profile's amd64 one, console=hvc0. */
static void
test_arch_ppc64el(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info",
				"Prepare Test OS 1.0 - Official ppc64el NETINST",
				"install/vmlinux",
				"a kernel",
				"install/initrd.gz",
				"an initrd",
				NULL};
	g_autofree gchar *iso = make_iso(f, "ppc64el", "PREPARE_TEST", files);

	for (guint direct = 0; direct <= 1; direct++) {
		SgTestOptions options = good_options(f, iso);
		g_autoptr(GError) error = NULL;
		g_autoptr(SgPlan) plan = NULL;

		options.boot = direct ? "direct" : NULL;
		plan = plan_boot(&options, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(plan->arch, ==, "ppc64el");
		g_assert_cmpint(plan->boot_method, ==, SG_BOOT_METHOD_DIRECT);
		g_assert_cmpstr(
			plan->boot_method_reason, ==,
			direct ? "asked for with --boot direct"
			       : "a ppc64el image: its installer's kernel is booted directly "
				 "(smokegate reads no ppc64el bootloader)");
		g_assert_cmpstr(plan->flavour->kernel, ==, "/install/vmlinux");
		g_assert_cmpstr(plan->flavour->initrd, ==, "/install/initrd.gz");
		g_assert_cmpstr(plan->flavour->kernel_args, ==, "console=hvc0");
		g_assert_cmpuint(plan->firmwares->len, ==, 1);
		g_assert_cmpint(g_array_index(plan->firmwares, SgFirmwareEntry, 0).firmware, ==,
				SG_FIRMWARE_SLOF);
		g_assert_cmpint(plan->answers_delivery, ==, SG_ANSWERS_INITRD);
	}
}

/* An image that says nothing itself: its cdimage name says it; with no
 * name either, --arch, the profile's Arch=, or amd64 as before. */
static void
test_arch_from_name(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Prepare Test OS 1.0", NULL};
	g_autofree gchar *named = make_iso(f, "noble-desktop-arm64", "PREPARE_TEST", files);
	g_autofree gchar *unnamed = make_iso(f, "plain", "PREPARE_TEST", files);
	struct {
		const gchar *iso;
		const gchar *arch_option;
		const gchar *guest;
		const gchar *arch;
		const gchar *source;
	} cases[] = {
		{named, NULL, "", "arm64", "its name"},
		{unnamed, "arm64", "", "arm64", "--arch"},
		{unnamed, NULL, "Arch=i386\n", "i386", "the prepare-test profile's [Guest] Arch="},
		{unnamed, "arm64", "Arch=i386\n", "arm64", "--arch"},
		{unnamed, NULL, "", "amd64", "assumed: the image does not say"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		SgTestOptions options = good_options(f, cases[i].iso);
		g_autoptr(GError) error = NULL;
		g_autoptr(SgPlan) plan = NULL;

		write_profile(f, cases[i].guest);
		options.boot = "direct";
		options.arch = cases[i].arch_option;
		plan = plan_boot(&options, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(plan->arch, ==, cases[i].arch);
		g_assert_cmpstr(plan->arch_source, ==, cases[i].source);
	}
}

/* An image whose words, name and loaders say nothing: its kernel's own
 * header says (a gzip'd arm64 Image, as Ubuntu's arm64 vmlinuz is), and
 * still contradicts a profile that says otherwise. */
static void
test_arch_from_kernel_header(Fixture *f, gconstpointer data)
{
	const gchar *files[] = {".disk/info", "Prepare Test OS 1.0", NULL};
	g_autofree gchar *tree = fixture_path(f, "kernel-only");
	g_autofree gchar *boot_dir = g_build_filename(tree, "boot", NULL);
	g_autofree gchar *kernel = g_build_filename(boot_dir, "vmlinuz", NULL);
	g_autofree gchar *conf = g_build_filename(f->flavours, "prepare-test.conf", NULL);
	g_auto(GStrv) parts = g_strsplit(profile, "/install.amd/", -1);
	g_autofree gchar *boot_profile = g_strjoinv("/boot/", parts);
	g_autofree gchar *iso = NULL;
	guchar image[4096] = {0};
	g_autoptr(GBytes) plain = NULL;
	g_autoptr(GZlibCompressor) compressor =
		g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
	g_autoptr(GInputStream) source = NULL;
	g_autoptr(GInputStream) gzip = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GBytes) gzipped = NULL;
	SgTestOptions options;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;
	g_autoptr(SgPlan) refused = NULL;

	memcpy(image + 0x38, "ARM\x64", 4);
	plain = g_bytes_new(image, sizeof(image));
	source = g_memory_input_stream_new_from_bytes(plain);
	gzip = g_converter_input_stream_new(source, G_CONVERTER(compressor));
	g_output_stream_splice(out, gzip, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
	g_assert_no_error(error);
	gzipped = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
	g_assert_cmpint(g_mkdir_with_parents(boot_dir, 0755), ==, 0);
	g_assert_true(g_file_set_contents(kernel, g_bytes_get_data(gzipped, NULL),
					  g_bytes_get_size(gzipped), NULL));
	iso = make_iso(f, "kernel-only", "PREPARE_TEST", files);
	write_file(conf, boot_profile);
	options = good_options(f, iso);
	options.boot = "direct";

	plan = plan_boot(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plan->arch, ==, "arm64");
	g_assert_cmpstr(plan->arch_source, ==,
			"its kernel's header (/boot/vmlinuz: arm64 Image, gzip)");

	options.arch = "amd64";
	refused = plan_boot(&options, &error);
	g_assert_null(refused);
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
	g_assert_cmpstr(error->message, ==,
			"the image is arm64 (its kernel's header (/boot/vmlinuz: arm64 Image, "
			"gzip)) but --arch says amd64");
}

/* An arm64 daily desktop image of Ubuntu's (as cdimage names and describes
 * it) gets an arm64 plan from the shipped ubuntu profile: its [Boot arm64]
 * firmware (UEFI; Secure Boot reported), the PL011 console; an amd64 one
 * keeps [Boot]'s. */
static void
test_ubuntu_arm64(Fixture *f, gconstpointer data)
{
	const gchar *arm64_files[] = {".disk/info",
				      "Ubuntu 24.04 LTS \"Noble Numbat\" - Daily arm64 (20261207)",
				      "casper/vmlinuz",
				      "a kernel",
				      "casper/initrd",
				      "an initrd",
				      NULL};
	const gchar *amd64_files[] = {".disk/info",
				      "Ubuntu 24.04 LTS \"Noble Numbat\" - Daily amd64 (20261207)",
				      "casper/vmlinuz",
				      "a kernel",
				      "casper/initrd",
				      "an initrd",
				      NULL};
	g_autofree gchar *arm64_iso =
		make_iso(f, "noble-desktop-arm64", "Ubuntu 24.04 LTS arm64", arm64_files);
	g_autofree gchar *amd64_iso =
		make_iso(f, "noble-desktop-amd64", "Ubuntu 24.04 LTS amd64", amd64_files);
	SgTestOptions options = good_options(f, arm64_iso);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;
	g_autoptr(SgPlan) amd64 = NULL;

	options.boot = "direct";
	options.answers = NULL;
	plan = plan_boot(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plan->flavour->name, ==, "ubuntu");
	g_assert_cmpstr(plan->arch, ==, "arm64");
	g_assert_cmpstr(plan->arch_source, ==, ".disk/info");
	g_assert_cmpuint(plan->flavour->firmware->len, ==, 1);
	g_assert_cmpint(g_array_index(plan->flavour->firmware, SgFirmware, 0), ==,
			SG_FIRMWARE_UEFI);
	g_assert_cmpuint(plan->flavour->report_firmware->len, ==, 1);
	g_assert_cmpint(g_array_index(plan->flavour->report_firmware, SgFirmware, 0), ==,
			SG_FIRMWARE_UEFI_SECURE_BOOT);
	g_assert_nonnull(strstr(plan->flavour->live_kernel_args, "console=ttyAMA0,115200"));
	g_assert_cmpint(g_array_index(plan->firmwares, SgFirmwareEntry, 0).firmware, ==,
			SG_FIRMWARE_UEFI);

	options.image = amd64_iso;
	amd64 = plan_boot(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(amd64->flavour->name, ==, "ubuntu");
	g_assert_cmpstr(amd64->arch, ==, "amd64");
	g_assert_cmpint(g_array_index(amd64->flavour->firmware, SgFirmware, 0), ==,
			SG_FIRMWARE_UEFI_SECURE_BOOT);
}

/* An image that is not the architecture its profile or --arch says fails
 * (the image is not what it is published as), naming both, before any
 * guest; an architecture with no guests yet is an error, not a fail. */
static void
test_arch_mismatch(Fixture *f, gconstpointer data)
{
	const gchar *arm64_files[] = {".disk/info", "Prepare Test OS 1.0 - arm64", NULL};
	const gchar *s390x_files[] = {".disk/info", "Prepare Test OS 1.0 - s390x", NULL};
	g_autofree gchar *arm64 = make_iso(f, "arm64", "PREPARE_TEST", arm64_files);
	g_autofree gchar *s390x = make_iso(f, "s390x", "PREPARE_TEST", s390x_files);
	struct {
		const gchar *iso;
		const gchar *arch_option;
		const gchar *guest;
		GQuark domain;
		gint code;
		const gchar *message;
	} cases[] = {
		{arm64, NULL, "Arch=amd64\n", SG_ERROR, SG_ERROR_IMAGE,
		 "the image is arm64 (.disk/info) but the prepare-test profile's [Guest] Arch= "
		 "says amd64"},
		{arm64, "i386", "Arch=arm64\n", SG_ERROR, SG_ERROR_IMAGE,
		 "the image is arm64 (.disk/info) but --arch says i386"},
		{s390x, NULL, "", SG_ERROR, SG_ERROR_LAB,
		 "a s390x image (.disk/info): the image's architecture must be one of amd64, "
		 "i386, arm64, ppc64el (no guests of that architecture yet)"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		for (guint direct = 0; direct <= 1; direct++) {
			SgTestOptions options = good_options(f, cases[i].iso);
			g_autoptr(GError) error = NULL;
			g_autoptr(SgPlan) plan = NULL;

			write_profile(f, cases[i].guest);
			options.boot = direct ? "direct" : "firmware";
			options.arch = cases[i].arch_option;
			plan = plan_boot(&options, &error);
			g_assert_null(plan);
			g_assert_error(error, cases[i].domain, cases[i].code);
			g_assert_cmpstr(error->message, ==, cases[i].message);
		}
	}
}

/* An ISO whose EFI El Torito image holds /EFI/BOOT/@loader. */
static gchar *
make_efi_iso(Fixture *f, const gchar *name, const gchar *disk_info, const gchar *loader)
{
	g_autofree gchar *tree = fixture_path(f, name);
	g_autofree gchar *efi = g_build_filename(tree, "efi.img", NULL);
	g_autofree gchar *binary = fixture_path(f, "loader.efi");
	g_autofree gchar *target = g_strconcat("::/EFI/BOOT/", loader, NULL);
	g_autofree gchar *info = g_build_filename(tree, ".disk", "info", NULL);
	gchar *iso = g_strconcat(tree, ".iso", NULL);
	const gchar *const commands[][12] = {
		{"mkfs.vfat", "-C", efi, "1440", NULL},
		{"mmd", "-i", efi, "::/EFI", "::/EFI/BOOT", NULL},
		{"mcopy", "-i", efi, binary, target, NULL},
		{"xorriso", "-as", "mkisofs", "-quiet", "-R", "-V", "PREPARE_TEST", "-e", "efi.img",
		 "-no-emul-boot", "-o", iso},
	};

	write_file(info, disk_info);
	write_file(binary, "MZ not really a loader");
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autoptr(GPtrArray) argv = g_ptr_array_new();
		gint status = -1;
		for (guint a = 0; a < G_N_ELEMENTS(commands[i]) && commands[i][a] != NULL; a++)
			g_ptr_array_add(argv, (gpointer)commands[i][a]);
		if (i == G_N_ELEMENTS(commands) - 1)
			g_ptr_array_add(argv, tree);
		g_ptr_array_add(argv, NULL);
		g_assert_true(g_spawn_sync(NULL, (gchar **)argv->pdata, NULL,
					   G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
						   G_SPAWN_STDERR_TO_DEV_NULL,
					   NULL, NULL, NULL, NULL, &status, NULL));
		g_assert_cmpint(status, ==, 0);
	}
	return iso;
}

/* The EFI loaders an image carries name its machine when its words do
 * not, and contradict them when they name another: a fail. An arm64
 * image is not booted under a BIOS. */
static void
test_arch_efi_loaders(Fixture *f, gconstpointer data)
{
	g_autofree gchar *silent = make_efi_iso(f, "aa64", "Prepare Test OS 1.0", "BOOTAA64.EFI");
	g_autofree gchar *liar =
		make_efi_iso(f, "aa64-amd64", "Prepare Test OS 1.0 - amd64", "BOOTAA64.EFI");
	g_autofree gchar *x64 =
		make_efi_iso(f, "x64-i386", "Prepare Test OS 1.0 - i386", "BOOTX64.EFI");
	SgTestOptions options = good_options(f, silent);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPlan) plan = NULL;
	const SgFirmwareEntry *bios;

	write_profile(f, "");
	plan = plan_boot(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plan->arch, ==, "arm64");
	g_assert_cmpstr(plan->arch_source, ==, "its EFI loaders (BOOTAA64.EFI)");
	bios = &g_array_index(plan->firmwares, SgFirmwareEntry, 0);
	g_assert_cmpint(bios->firmware, ==, SG_FIRMWARE_BIOS);
	g_assert_cmpstr(bios->not_applicable, ==,
			"an arm64 image: a BIOS starts x86 machines only");
	g_assert_cmpint(sg_plan_main_firmware(plan)->firmware, ==, SG_FIRMWARE_UEFI);
	/* AAVMF starts the BOOTAA64.EFI: the menu typed into is that one's. */
	g_assert_nonnull(sg_plan_loader(plan, SG_FIRMWARE_UEFI));
	g_assert_cmpstr(sg_plan_loader(plan, SG_FIRMWARE_UEFI)->arch, ==, "aa64");
	g_clear_pointer(&plan, sg_plan_free);

	options = good_options(f, liar);
	plan = plan_boot(&options, &error);
	g_assert_null(plan);
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
	g_assert_cmpstr(error->message, ==,
			"the image is amd64 (.disk/info) but its EFI loaders are for arm64 "
			"(BOOTAA64.EFI)");
	g_clear_error(&error);

	/* amd64 and i386 are one machine: an i386 image with an x64 loader
	 * is no contradiction. */
	options = good_options(f, x64);
	plan = plan_boot(&options, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plan->arch, ==, "i386");
	g_assert_cmpstr(sg_plan_loader(plan, SG_FIRMWARE_UEFI)->arch, ==, "x64");
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
	ADD("/prepare/arch-from-disk-info", test_arch_from_disk_info);
	ADD("/prepare/emulation-limits", test_emulation_limits);
	ADD("/prepare/arch-from-name", test_arch_from_name);
	ADD("/prepare/ubuntu-arm64", test_ubuntu_arm64);
	ADD("/prepare/arch-from-kernel-header", test_arch_from_kernel_header);
	ADD("/prepare/arch-ppc64el", test_arch_ppc64el);
	ADD("/prepare/arch-mismatch", test_arch_mismatch);
	ADD("/prepare/arch-efi-loaders", test_arch_efi_loaders);
#undef ADD
	return g_test_run();
}
