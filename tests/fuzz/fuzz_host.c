/*
 * Fuzz target: the host side's parsers of untrusted bytes: a /dev/kmsg
 * record (kt_kmsg_parse) and text fitted to a terminal (kt_render_fit:
 * wrapping and ASCII at several widths). Never a crash, an overrun or a
 * hang; fitted texts are NUL-terminated.
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
	struct kt_kmsg_record rec;

	if (kt_kmsg_parse((const char *)data, size, &rec) == 0 &&
	    (rec.text < (const char *)data || rec.text + rec.text_len > (const char *)data + size))
		abort();
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
