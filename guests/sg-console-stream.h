#pragma once

#include "sg-guest.h"

G_BEGIN_DECLS

/*
 * A guest's serial console read over the libvirt connection (the same on
 * the embedded driver and on a remote host): a non-blocking console
 * stream whose bytes arrive by stream events on the main loop, the moment
 * QEMU hands them over. Open it on a guest created paused, then resume the
 * guest, and no early byte is lost.
 */
typedef struct _SgConsoleStream SgConsoleStream;

typedef void (*SgConsoleStreamData)(const gchar *data, gsize len, gpointer user_data);
/* The console closed: the guest is gone or the connection broke. */
typedef void (*SgConsoleStreamClosed)(gpointer user_data);

SgConsoleStream *sg_console_stream_open(SgGuest *guest, SgConsoleStreamData on_data,
					SgConsoleStreamClosed on_closed, gpointer user_data,
					GError **error);
/* The same for the guest's virtio-serial port named @channel (its
 * SgDomainSpec channel): a port's bytes arrive the same way. */
SgConsoleStream *sg_console_stream_open_channel(SgGuest *guest, const gchar *channel,
						SgConsoleStreamData on_data,
						SgConsoleStreamClosed on_closed, gpointer user_data,
						GError **error);
/* Reads what is buffered now, without waiting: a guest that stopped has
 * written its last words before the lifecycle event said so. */
void sg_console_stream_drain(SgConsoleStream *stream);
gboolean sg_console_stream_is_closed(SgConsoleStream *stream);
/* Types @len bytes into the console (keys at a bootloader's menu). A few
 * bytes at a time: what the stream cannot take now is an error, not a
 * wait (the guest reads its serial port as fast as it can be typed). */
gboolean sg_console_stream_send(SgConsoleStream *stream, const gchar *data, gsize len,
				GError **error);
/* Stops calling back and lets the console go, without waiting: at once
 * while its guest runs (free the console before destroying the guest), or,
 * when the guest is stopping, on the main loop once libvirt has removed it
 * (libvirt deadlocks when the two happen at once; see sg-console-stream.c). */
void sg_console_stream_free(SgConsoleStream *stream);
/* How many freed consoles still wait for libvirt to remove their guest. */
guint sg_console_stream_count_waiting(void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgConsoleStream, sg_console_stream_free)

G_END_DECLS
