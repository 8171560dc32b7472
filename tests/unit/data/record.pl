#!/usr/bin/perl
# Records a guest's serial console with its timing, the way script(1) does:
# PREFIX.raw holds the bytes as they came, PREFIX.timing one line per read,
# "<seconds since the previous read> <byte count>".
#
#   record.pl PREFIX SECONDS qemu-system-x86_64 ... -serial stdio -display none
#
# Stops the guest after SECONDS. The recordings in this folder were made with it
# (see README).
use strict;
use warnings;
use Time::HiRes qw(time);
use POSIX qw(WNOHANG);

my ($prefix, $seconds, @cmd) = @ARGV;
die "usage: record.pl PREFIX SECONDS COMMAND...\n" unless @cmd;
open(my $raw, '>:raw', "$prefix.raw") or die "$prefix.raw: $!";
open(my $timing, '>', "$prefix.timing") or die "$prefix.timing: $!";
$raw->autoflush(1);
$timing->autoflush(1);

pipe(my $reader, my $writer) or die "pipe: $!";
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	close($reader);
	open(STDIN, '<', '/dev/null');
	open(STDOUT, '>&', $writer);
	exec(@cmd) or die "exec: $!";
}
close($writer);
my $start = time();
my $last = $start;
my $rin = '';
vec($rin, fileno($reader), 1) = 1;
while (time() - $start < $seconds) {
	my $rout;
	next unless select($rout = $rin, undef, undef, 0.5) > 0;
	my $got = sysread($reader, my $buffer, 65536);
	last unless $got;
	my $now = time();
	print $raw $buffer;
	printf $timing "%.6f %d\n", $now - $last, $got;
	$last = $now;
}
kill('TERM', $pid);
waitpid($pid, 0);
