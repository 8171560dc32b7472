#!/usr/bin/python3
# sandbox-exec.py UNIT CMD...: runs CMD under the system call filter and
# the address families of a systemd unit file, as systemd would load them
# (SystemCallFilter= with its @groups expanded by systemd-analyze,
# SystemCallErrorNumber=, RestrictAddressFamilies=, RestrictNamespaces=yes
# as systemd filters it: unshare and clone with a CLONE_NEW* flag and setns
# refused, clone3 ENOSYS so that glibc falls back to clone), with
# no_new_privs set.
# This machine's PID 1 is not systemd: this is how the tests run QEMU under
# the units' filters without it.
import errno
import os
import subprocess
import sys

import seccomp


def unit_values(path, key):
    values = []
    with open(path) as unit:
        for line in unit:
            if line.startswith(key + "="):
                values += line.split("=", 1)[1].split()
    return values


def expand(name, seen):
    """The system calls of a name, or of a @group and the groups in it."""
    if not name.startswith("@"):
        return {name}
    if name in seen:
        return set()
    seen.add(name)
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True,
                         capture_output=True, text=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        word = line.strip()
        if word and not word.startswith("#"):
            calls |= expand(word, seen)
    return calls


def main():
    unit, command = sys.argv[1], sys.argv[2:]
    allowed = set()
    for name in unit_values(unit, "SystemCallFilter"):
        if name.startswith("~"):
            sys.exit("deny lists are not supported: " + name)
        allowed |= expand(name, set())
    error = unit_values(unit, "SystemCallErrorNumber") or ["EPERM"]
    calls = seccomp.SyscallFilter(defaction=seccomp.ERRNO(getattr(errno, error[0])))
    unknown = []
    for call in sorted(allowed):
        try:
            calls.add_rule(seccomp.ALLOW, call)
        except (RuntimeError, ValueError, OSError):
            unknown.append(call)  # not a system call of this architecture
    families = unit_values(unit, "RestrictAddressFamilies")
    sockets = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    if families:
        import socket
        allowed_families = {int(getattr(socket, f)) for f in families}
        for family in range(0, 64):
            if family not in allowed_families:
                sockets.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket",
                                 seccomp.Arg(0, seccomp.EQ, family))
    namespaces = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    if unit_values(unit, "RestrictNamespaces") == ["yes"]:
        flags = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000,
                 0x20000000, 0x40000000, 0x00000080]  # CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET,TIME}
        for call in ("unshare", "clone"):
            for flag in flags:
                namespaces.add_rule(seccomp.ERRNO(errno.EPERM), call,
                                    seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
        namespaces.add_rule(seccomp.ERRNO(errno.EPERM), "setns")
        namespaces.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    print("sandbox-exec: %d system calls allowed (%d not on this architecture), "
          "address families %s" % (len(allowed) - len(unknown), len(unknown),
                                   " ".join(families) or "any"), file=sys.stderr)
    sockets.load()
    namespaces.load()
    calls.load()
    os.execvp(command[0], command)


main()
