#include <glib.h>
static void
t_pass(void)
{
	g_test_message("display :0 answers");
}
static void
t_skip(void)
{
	g_test_skip("no layout in the answer file");
}
static void
t_todo(void)
{
	g_test_incomplete("not on 2013 images");
}
static void
t_fail(void)
{
	g_test_message("xterm never mapped");
	g_test_fail();
}
int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/session/display", t_pass);
	g_test_add_func("/session/layout", t_skip);
	g_test_add_func("/session/locale", t_todo);
	g_test_add_func("/session/window", t_fail);
	return g_test_run();
}
