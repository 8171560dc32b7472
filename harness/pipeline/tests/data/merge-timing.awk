# Merges the reads of a timing file that came less than 10 ms after the
# previous one into it (up to 512 bytes a read): the serial port delivers a
# byte or a few per read, which would make the timing file larger than the
# recording.
#   awk -f merge-timing.awk X.timing > merged && mv merged X.timing
{
	if (NR > 1 && $1 < 0.01 && bytes + $2 <= 512) {
		bytes += $2
		carry += $1
		next
	}
	if (NR > 1)
		printf "%.6f %d\n", delay, bytes
	delay = $1 + carry
	carry = 0
	bytes = $2
}
END { printf "%.6f %d\n", delay, bytes }
