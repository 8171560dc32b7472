/* make-desktop-picture: write the raw "desktop" the test system shows on
 * /dev/fb0 once its fake display manager has "started a session".
 *
 * Usage: make-desktop-picture WIDTH HEIGHT OUTFILE
 *
 * Output is WIDTH*HEIGHT pixels, 4 bytes each in framebuffer order for
 * XRGB8888 on little-endian (B, G, R, X), so the guest can copy it to the
 * framebuffer unchanged.  The picture looks like a typical desktop: a dark
 * gradient background, a thin panel bar on top and a faint logo, i.e.
 * "mostly one colour" without being blank, which is what the harness must
 * learn to tell apart from a black screen.
 *
 * Written in C because the recipe may not rely on python being installed. */
#include <stdio.h>
#include <stdlib.h>

static void
put(FILE *f, unsigned r, unsigned g, unsigned b)
{
	unsigned char px[4] = {(unsigned char)b, (unsigned char)g, (unsigned char)r, 0xff};
	fwrite(px, 1, sizeof px, f);
}

static unsigned
mix(unsigned a, unsigned b, long num, long den)
{
	return (unsigned)((a * (den - num) + b * num) / den);
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s WIDTH HEIGHT OUTFILE\n", argv[0]);
		return 2;
	}
	long w = strtol(argv[1], NULL, 10), h = strtol(argv[2], NULL, 10);
	if (w < 64 || h < 64 || w > 8192 || h > 8192) {
		fprintf(stderr, "%s: bad size %ldx%ld\n", argv[0], w, h);
		return 2;
	}
	FILE *f = fopen(argv[3], "wb");
	if (!f) {
		perror(argv[3]);
		return 1;
	}

	const long panel = h / 28; /* top bar, about 27 px at 768 */
	const long cx = w / 2, cy = h / 2, r = h / 8;

	for (long y = 0; y < h; y++)
		for (long x = 0; x < w; x++) {
			if (y < panel) {
				/* Panel: near black, with a lighter "activities" button on the
				 * left and a "clock" block in the middle. */
				int button = x > 8 && x < 8 + w / 12 && y > 4 && y < panel - 4;
				int clock = x > cx - w / 20 && x < cx + w / 20 && y > 6 &&
					    y < panel - 6;
				if (button || clock)
					put(f, 0xd0, 0xd0, 0xd0);
				else
					put(f, 0x1c, 0x1c, 0x1c);
				continue;
			}
			/* Background: vertical gradient from dark teal to deep navy. */
			unsigned cr = mix(0x10, 0x08, y, h), cg = mix(0x3a, 0x10, y, h),
				 cb = mix(0x5a, 0x30, y, h);
			/* A faint ring in the middle, like a distribution logo. */
			long dx = x - cx, dy = y - cy, d2 = dx * dx + dy * dy;
			if (d2 < r * r && d2 > (r - r / 5) * (r - r / 5)) {
				cr += 0x30;
				cg += 0x30;
				cb += 0x30;
			}
			put(f, cr, cg, cb);
		}

	if (fclose(f) != 0) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
