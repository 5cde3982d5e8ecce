/*
 * Fuzz target: the Rust v0 demangler (util/demangle.h), which reads frame
 * names straight from crash logs. Any bytes, after "_R" or not, with output
 * buffers of several sizes: never a crash, an overrun or a hang; a success
 * is a NUL-terminated string that fits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/demangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 8, 128, 4096 };
	char *sym = malloc(size + 3);

	if (!sym)
		return 0;
	memcpy(sym, "_R", 2);
	memcpy(sym + 2, data, size);
	sym[size + 2] = '\0';
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *out = malloc(sizes[i]);

		if (!out)
			break;
		if (kt_rust_demangle(sym, size + 2, out, sizes[i]) && strnlen(out, sizes[i]) >= sizes[i])
			abort();	/* claimed success without a terminated string */
		if (kt_rust_demangle((const char *)data, size, out, sizes[i]) &&
		    strnlen(out, sizes[i]) >= sizes[i])
			abort();
		free(out);
	}
	free(sym);
	return 0;
}
