#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/*
 * The names a run gives what it makes on a lab host (guests, volumes):
 * smokegate-HOST-PID-N-M-WHAT, for this process's Nth lab and its Mth name.
 * A name carries the run's identity so that a later run on the same
 * coordinator can tell what a dead run left, and never stands for another
 * run's guest or volume, live or dead.
 *
 * Shared by the lab and its media (a reference each), made and read from
 * any thread.
 */
typedef struct _SgRunNames SgRunNames;

/* The names of a new lab of this process: its number comes from a
 * process-wide counter. */
SgRunNames *sg_run_names_new(void);
SgRunNames *sg_run_names_ref(SgRunNames *names);
void sg_run_names_unref(SgRunNames *names);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgRunNames, sg_run_names_unref)

/* "PID-N": this lab among all labs of this machine's processes. */
const gchar *sg_run_names_get_id(SgRunNames *names);
/* A new name: smokegate-HOST-PID-N-M-@what. */
gchar *sg_run_names_make(SgRunNames *names, const gchar *what);
/* Whether @name is one of these names (made by sg_run_names_make). */
gboolean sg_run_names_is_own(SgRunNames *names, const gchar *name);
/* Whether @name was made by a run on this coordinator whose process is
 * gone. Names of other coordinators are never stale here: their own next
 * run removes them. */
gboolean sg_run_names_is_stale(SgRunNames *names, const gchar *name);
/* Whether @pid is a process of this machine that has ended (this process
 * never has): what it named or owned is left over. */
gboolean sg_run_names_pid_is_gone(pid_t pid);

G_END_DECLS
