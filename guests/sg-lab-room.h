#pragma once

#include "sg-lab.h"

G_BEGIN_DECLS

/*
 * How many more guests of one test a lab host takes now: the downstream
 * suites of one build run that many at once.
 *
 * The rule: the host's free guest places, at least 1 (the test's own place,
 * which its boot just gave back, is always there). Free places are
 * @max_guests (the lab file's MaxGuests=) less the smokegate guests running
 * there now, of any coordinator; with @max_guests 0 (no lab file describes
 * the host: the default host, --connect) they are the host's CPUs less the
 * vCPUs of the guests running there, counted in guests of @vcpus. Either is
 * then bounded by the host's free memory in guests of @memory_mib. The
 * gate's schedule reserved one place for the test, so a test's suites may
 * take places it would give another test: they end within their Seconds=.
 */
guint sg_lab_room_guests(SgLab *lab, guint max_guests, guint memory_mib, guint vcpus);

G_END_DECLS
