#pragma once

#include <gio/gio.h>

#include "sg-guest.h"

G_BEGIN_DECLS

/*
 * The end of a guest whose verdict is written: a last picture of its
 * screen, then the destroy, which waits for QEMU to end (a second or more
 * on a loaded host). Both block, so they run on a thread and the main loop
 * keeps serving every other guest. Close the guest's console and channel
 * streams first: libvirt can deadlock when a stream closes during the
 * destroy.
 */

/* Takes a picture of @guest's screen into @png_path (NULL: none), then
 * destroys it; @callback runs on the main loop with the guest gone. The
 * guest must not be freed before. */
void sg_guest_teardown_async(SgGuest *guest, const gchar *png_path, GAsyncReadyCallback callback,
			     gpointer user_data);
/* TRUE when the picture was taken. */
gboolean sg_guest_teardown_finish(GAsyncResult *result);

G_END_DECLS
