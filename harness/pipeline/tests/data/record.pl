#!/usr/bin/perl
# Records a guest's serial console with its timing, the way script(1) does:
# PREFIX.raw holds the bytes as they came, PREFIX.timing one line per read,
# "<seconds since the previous read> <byte count>".
#
#   record.pl PREFIX SECONDS qemu-system-x86_64 ... -serial file:PREFIX.raw
#
# QEMU writes the console to the file (as smokegate's guests do, so nothing
# ever blocks the guest); this polls the file every 5 ms for the timing and
# stops the guest after SECONDS. The recordings here were made with it (see
# README).
use strict;
use warnings;
use Time::HiRes qw(time sleep);

my ($prefix, $seconds, @cmd) = @ARGV;
die "usage: record.pl PREFIX SECONDS COMMAND...\n" unless @cmd;
unlink("$prefix.raw");
open(my $timing, '>', "$prefix.timing") or die "$prefix.timing: $!";
$timing->autoflush(1);

my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	open(STDIN, '<', '/dev/null');
	exec(@cmd) or die "exec: $!";
}
my $start = time();
my $last = $start;
my $size = 0;
while (time() - $start < $seconds) {
	sleep(0.005);
	my $now_size = -s "$prefix.raw" // 0;
	next if $now_size <= $size;
	my $now = time();
	printf $timing "%.6f %d\n", $now - $last, $now_size - $size;
	$size = $now_size;
	$last = $now;
}
kill('TERM', $pid);
waitpid($pid, 0);
# What the guest wrote between the last poll and its end.
my $end_size = -s "$prefix.raw" // 0;
printf $timing "%.6f %d\n", time() - $last, $end_size - $size if $end_size > $size;
