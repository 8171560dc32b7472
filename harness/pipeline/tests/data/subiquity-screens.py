#!/usr/bin/python3
# Draws subiquity's install-progress screen, then its error report and its
# install confirmation, with Debian's urwid (python3-urwid) in the basic
# (ASCII) mode subiquity uses on a serial console, on an 80x24 pty, and
# records the bytes urwid writes (PREFIX.raw, PREFIX.timing as record.pl).
#
# subiquity is not in Debian and cannot run here; the layout and words are
# copied from its source (github.com/canonical/subiquity, 44e42fc):
#   subiquitycore/ui/frame.py, anchors.py  header: the view's title between
#                                         half-block fringes, body below
#   subiquity/ui/views/installprogress.py ProgressView (event list in a
#                                         LineBox, "[ View full log ]"),
#                                         titles "Installing system" and
#                                         "An error occurred during
#                                         installation", InstallConfirmation
#   subiquity/ui/views/error.py           ErrorReportStretchy for
#                                         ErrorReportKind.INSTALL_FAIL
#   subiquitycore/ui/stretchy.py          overlays: LineBox with the title,
#                                         2 columns of padding, 1 row
#   subiquitycore/ui/buttons.py           buttons "[ Label ]"
#   subiquitycore/tui.py                  basic mode: set_encoding("ascii")
#   subiquitycore/palette.py              PALETTE_MONO
#
#   subiquity-screens.py error|confirm PREFIX
import os
import pty
import struct
import fcntl
import termios
import sys
import time

import urwid

PALETTE_MONO = [
    ("frame_header_fringe", "white", "black"),
    ("frame_header", "black", "white"),
    ("body", "white", "black"),
    ("done_button", "white", "black"),
    ("danger_button", "white", "black"),
    ("other_button", "white", "black"),
    ("done_button focus", "black", "white"),
    ("danger_button focus", "black", "white"),
    ("other_button focus", "black", "white"),
]


def button(label, style="other"):
    class Btn(urwid.Button):
        button_left = urwid.Text("[")
        button_right = urwid.Text("]")

    return urwid.AttrMap(Btn(label), style + "_button", style + "_button focus")


def button_pile(buttons):
    width = max([14] + [len(b.base_widget.label) + 4 for b in buttons])
    return urwid.Padding(urwid.Pile(buttons), width=width, align="center")


def header(title):
    cols = urwid.Columns([("fixed", 1, urwid.Text("")), urwid.Text(title),
                          ("fixed", 1, urwid.Text(""))])
    return urwid.Pile([
        (1, urwid.AttrMap(urwid.SolidFill("\N{LOWER HALF BLOCK}"), "frame_header_fringe")),
        urwid.AttrMap(cols, "frame_header"),
        (1, urwid.AttrMap(urwid.SolidFill("\N{UPPER HALF BLOCK}"), "frame_header_fringe")),
    ])


def progress_view(title, events, buttons):
    listbox = urwid.ListBox(urwid.SimpleFocusListWalker([urwid.Text(e) for e in events]))
    if events:
        listbox.focus_position = len(events) - 1
    body = urwid.Pile([
        ("weight", 1, urwid.Padding(urwid.LineBox(listbox), width=76, align="center")),
        ("pack", urwid.Text("")),
        ("pack", button_pile(buttons)),
        ("pack", urwid.Text("")),
    ])
    return urwid.AttrMap(urwid.Pile([("pack", header(title)), body]), "body")


def stretchy(bottom, title, widgets, height):
    pile = urwid.Pile(widgets)
    box = urwid.LineBox(urwid.Filler(urwid.Padding(pile, left=2, right=2), top=1, bottom=1),
                        title=title)
    return urwid.Overlay(urwid.AttrMap(box, "body"), bottom, "center", ("relative", 100),
                         "middle", height, left=3, right=3)


EVENTS = [
    "  configuring apt",
    "  installing system",
    "    executing curtin install initial step",
    "    executing curtin install partitioning step",
    "    executing curtin install extract step",
    "      curtin command extract",
    "        acquiring and extracting image from cp:///tmp/tmpab3x/mount",
]

# subiquity/ui/views/error.py: error_report_intros[INSTALL_FAIL], submit_text,
# error_report_options[INSTALL_FAIL]; the buttons of state DONE.
ERROR_WIDGETS = lambda: [
    urwid.Text("Sorry, there was a problem completing the installation."),
    urwid.Text(""),
    button_pile([button("View full report")]),
    urwid.Text(""),
    urwid.Text("If you want to help improve the installer, you can send an error report."),
    urwid.Text(""),
    button_pile([button("Send to Canonical")]),
    urwid.Text(""),
    urwid.Text("Do you want to try starting the installation again?"),
    urwid.Text(""),
    button_pile([button("Restart the installer")]),
    urwid.Text(""),
    button_pile([button("Close report")]),
]

# subiquity/ui/views/installprogress.py: confirmation_text, InstallConfirmation.
CONFIRM_TEXT = """\
Selecting Continue below will begin the installation process and
result in the loss of data on the disks selected to be formatted.

You will not be able to return to this or a previous screen once
the installation has started.

Are you sure you want to continue?"""


def main():
    which, prefix = sys.argv[1], sys.argv[2]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out = os.fdopen(slave, "w", encoding="ascii", errors="replace")
    urwid.util.set_encoding("ascii")  # subiquity's basic mode
    screen = urwid.raw_display.Screen(input=open(os.devnull), output=out)
    screen.set_terminal_properties(colors=16)
    screen.register_palette(PALETTE_MONO)
    screen.start()
    raw = open(prefix + ".raw", "wb")
    timing = open(prefix + ".timing", "w")
    last = time.time()

    def draw(widget, seconds):
        nonlocal last
        canvas = widget.render((80, 24), focus=True)
        screen.draw_screen((80, 24), canvas)
        out.flush()
        time.sleep(0.05)
        data = os.read(master, 1 << 20)
        now = time.time()
        raw.write(data)
        timing.write("%.6f %d\n" % (now - last, len(data)))
        last = now
        time.sleep(seconds)

    view_log = button("View full log")
    draw(progress_view("Installing system", EVENTS[:4], [view_log]), 1.0)
    draw(progress_view("Installing system", EVENTS, [view_log]), 2.0)
    if which == "error":
        failed = EVENTS + ["        An error occurred handling 'extract': ..."]
        bottom = progress_view("An error occurred during installation", failed,
                               [view_log, button("View error report"),
                                button("Reboot Now", "done")])
        draw(bottom, 0.5)
        draw(stretchy(bottom, "", ERROR_WIDGETS(), 20), 0)
    else:
        bottom = progress_view("Installing system", EVENTS[:2], [view_log])
        draw(stretchy(bottom, "Confirm destructive action",
                      [urwid.Text(CONFIRM_TEXT), urwid.Text(""),
                       button_pile([button("No"), button("Continue", "danger")])], 14), 0)
    screen.stop()


main()
