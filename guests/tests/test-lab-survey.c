#include <gio/gio.h>
#include <string.h>

#include "sg-lab-survey.h"
#include "sg-virt.h"

/* A TCP port on 127.0.0.1: listening (and never answering) or closed. */
static GSocket *
open_socket(gboolean listen, guint16 *port)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
						 G_SOCKET_PROTOCOL_TCP, &error);
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	g_assert_no_error(error);
	g_assert_true(g_socket_bind(socket, address, FALSE, &error));
	if (listen)
		g_assert_true(g_socket_listen(socket, &error));
	g_assert_no_error(error);
	bound = g_socket_get_local_address(socket, &error);
	g_assert_no_error(error);
	*port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	return g_steal_pointer(&socket);
}

static SgLabHost *
host_new(guint16 port)
{
	SgLabHost *host = g_new0(SgLabHost, 1);

	host->name = g_strdup("lab1");
	host->uri = g_strdup_printf("qemu+tcp://127.0.0.1:%u/system", port);
	host->max_guests = 2;
	host->vcpus = 4;
	host->accel = g_strdup("auto");
	return host;
}

static void
host_free(SgLabHost *host)
{
	g_free(host->name);
	g_free(host->uri);
	g_free(host->accel);
	g_free(host);
}

/* Refused at once: libvirt's message, and nothing claimed of the host. */
static void
test_refused(void)
{
	guint16 port;
	g_autoptr(GSocket) socket = open_socket(FALSE, &port);
	SgLabHost *host = host_new(port);
	g_autoptr(SgLabSurvey) survey = NULL;
	g_autoptr(JsonNode) json = NULL;
	JsonObject *object;

	/* Bound, not listening: connecting is refused. */
	survey = sg_lab_survey_host(host, 5000);
	g_assert_false(survey->reachable);
	g_assert_cmpstr(survey->name, ==, "lab1");
	g_assert_nonnull(strstr(survey->problem, "Connection refused"));
	g_assert_cmpuint(survey->milliseconds, <, 5000);
	g_assert_cmpuint(survey->max_guests, ==, 2);
	g_assert_cmpuint(survey->vcpus_cap, ==, 4);
	g_assert_cmpuint(survey->cpus, ==, 0);
	g_assert_cmpuint(survey->images->len, ==, 0);
	g_assert_false(sg_lab_survey_has_image(survey, "00"));

	json = sg_lab_survey_to_json(survey);
	object = json_node_get_object(json);
	g_assert_false(json_object_get_boolean_member(object, "reachable"));
	g_assert_cmpstr(json_object_get_string_member(object, "problem"), ==, survey->problem);
	g_assert_false(json_object_has_member(object, "cpus"));
	host_free(host);
}

/* A host that accepts and never answers (a hung sshd, a stuck daemon):
 * the survey gives up at the timeout instead of waiting with it. */
static void
test_silent(void)
{
	guint16 silent_port, closed_port;
	g_autoptr(GSocket) silent = open_socket(TRUE, &silent_port);
	g_autoptr(GSocket) closed = open_socket(FALSE, &closed_port);
	g_autoptr(SgLabConfig) config = g_new0(SgLabConfig, 1);
	g_autoptr(GPtrArray) surveys = NULL;
	gint64 started = g_get_monotonic_time();
	SgLabSurvey *survey;

	config->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)host_free);
	g_ptr_array_add(config->hosts, host_new(silent_port));
	g_ptr_array_add(config->hosts, host_new(closed_port));
	surveys = sg_lab_survey_all(config, 700);
	g_assert_cmpint(g_get_monotonic_time() - started, <, 3 * G_USEC_PER_SEC);
	g_assert_cmpuint(surveys->len, ==, 2);
	survey = g_ptr_array_index(surveys, 0);
	g_assert_false(survey->reachable);
	g_assert_nonnull(strstr(survey->problem, "no answer within"));
	g_assert_cmpuint(survey->milliseconds, >=, 600);
	/* The other host's answer is not held up by the silent one. */
	survey = g_ptr_array_index(surveys, 1);
	g_assert_false(survey->reachable);
	g_assert_nonnull(strstr(survey->problem, "Connection refused"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	sg_virt_init();
	g_test_add_func("/lab-survey/refused", test_refused);
	g_test_add_func("/lab-survey/silent", test_silent);
	return g_test_run();
}
