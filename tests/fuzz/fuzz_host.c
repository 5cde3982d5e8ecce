/*
 * Fuzz target: the host side's parsers of untrusted bytes: a /dev/kmsg
 * record (kt_kmsg_parse), pstore parts stitched (kt_pstore_stitch; the
 * input cut into parts at NUL bytes), and text fitted to a terminal
 * (kt_render_fit: wrapping and ASCII at several widths). Never a crash, an
 * overrun or a hang; stitched and fitted texts are NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/ktriage.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = { 0, 1, 20, 37, 80, 5000 };
	const char *parts[8];
	size_t lens[8], n = 0, start = 0, len = 0;
	struct kt_kmsg_record rec;
	char *s;

	if (kt_kmsg_parse((const char *)data, size, &rec) == 0 &&
	    (rec.text < (const char *)data || rec.text + rec.text_len > (const char *)data + size))
		abort();
	for (size_t i = 0; i <= size && n < 8; i++) {
		if (i == size || data[i] == 0) {
			parts[n] = (const char *)data + start;
			lens[n++] = i - start;
			start = i + 1;
		}
	}
	s = kt_pstore_stitch(parts, lens, n, &len);
	if (s && strlen(s) > len)
		abort();
	free(s);
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		char *t = malloc(size + 1);

		if (!t)
			return 0;
		memcpy(t, data, size);
		t[size] = '\0';
		t = kt_render_fit(t, widths[i], i & 1);
		if (!t)
			abort();
		free(t);
	}
	return 0;
}
