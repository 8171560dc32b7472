#include "sg-gate-candidates.h"

#include "sg-flavour.h"

/* A flavour never tested before is assumed long: started early, it cannot
 * be the one test that keeps the night going. */
#define UNKNOWN_EXPECTED_SECONDS 3600.0
/* Judged builds of a flavour whose durations predict its next test. */
#define HISTORY_BUILDS 5
/* A guest for a flavour without a profile of that name: the profiles' own default. */
#define DEFAULT_GUEST_MIB 2048
#define DEFAULT_GUEST_VCPUS 2

void
sg_candidate_free(SgCandidate *candidate)
{
	if (candidate == NULL)
		return;
	g_free(candidate->flavour);
	g_free(candidate->image_type);
	g_free(candidate->build_id);
	g_free(candidate->dir);
	g_free(candidate->image);
	g_free(candidate->label);
	g_free(candidate);
}

gboolean
sg_gate_flavour_selected(const gchar *const *flavours, const gchar *flavour)
{
	return flavours == NULL || g_strv_contains(flavours, flavour);
}

static gint
compare_doubles(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
	return (x > y) - (x < y);
}

/* The median duration of the type's last judged tests: what to expect of the next. */
static gdouble
expected_seconds(SgTreeType *type)
{
	g_autoptr(GArray) durations = g_array_new(FALSE, FALSE, sizeof(gdouble));

	for (guint i = 0; i < type->builds->len && durations->len < HISTORY_BUILDS; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		if (build->record != NULL && build->record->test_seconds > 0)
			g_array_append_val(durations, build->record->test_seconds);
	}
	if (durations->len == 0)
		return UNKNOWN_EXPECTED_SECONDS;
	g_array_sort(durations, compare_doubles);
	return g_array_index(durations, gdouble, durations->len / 2);
}

GPtrArray *
sg_gate_candidates_find(SgTreeModel *tree, const gchar *const *flavours)
{
	GPtrArray *candidates = g_ptr_array_new_with_free_func((GDestroyNotify)sg_candidate_free);

	for (guint t = 0; t < tree->types->len; t++) {
		SgTreeType *type = g_ptr_array_index(tree->types, t);
		gdouble expected;

		if (!sg_gate_flavour_selected(flavours, type->flavour))
			continue;
		expected = expected_seconds(type);
		for (gint i = (gint)type->builds->len - 1; i >= 0; i--) {
			SgTreeBuild *build = g_ptr_array_index(type->builds, i);
			SgCandidate *candidate;

			if (build->record == NULL || build->record->state != SG_BUILD_UNTESTED ||
			    build->record->image == NULL)
				continue;
			candidate = g_new0(SgCandidate, 1);
			candidate->flavour = g_strdup(type->flavour);
			candidate->image_type = g_strdup(type->image_type);
			candidate->build_id = g_strdup(build->id);
			candidate->dir = g_strdup(build->dir);
			candidate->image = g_strdup(build->record->image);
			candidate->label = g_strdup_printf("%s/%s", type->path, build->id);
			candidate->expected_seconds = expected;
			g_ptr_array_add(candidates, candidate);
		}
	}
	return candidates;
}

void
sg_gate_guest_size(GPtrArray *profiles, const gchar *flavour, guint *memory_mib, guint *vcpus)
{
	SgFlavour *profile = profiles != NULL ? sg_flavour_find(profiles, flavour) : NULL;

	*memory_mib = profile != NULL ? profile->memory_mib : DEFAULT_GUEST_MIB;
	*vcpus = profile != NULL ? profile->vcpus : DEFAULT_GUEST_VCPUS;
}
