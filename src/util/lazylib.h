/*
 * util: shared libraries opened on first use (Capstone, libdw, libarchive,
 * Vectorscan, libsystemd, libcurl, SQLite, libpq, libmicrohttpd, libcrypto).
 * Code calls their functions as usual; each listed function is a generated
 * trampoline (src/util/lazylib.list, scripts/gen-lazylib.py) whose first call
 * dlopen()s the library and binds all of its listed functions. A library
 * that cannot be loaded goes to the process-wide hook set with
 * kt_set_libload_handler() (<ktriage/error.h>), like an allocation failure.
 * Builds without trampolines (not x86-64) link the libraries as usual.
 */
#ifndef KT_UTIL_LAZYLIB_H
#define KT_UTIL_LAZYLIB_H

#include <stddef.h>

/* One library of lazylib.list: its functions own slots [first, first+n) of
 * kt_lazylib_slots. */
struct kt_lazylib {
	const char *name;		/* "capstone": linked as -lcapstone */
	const char *soname;		/* "libcapstone.so.4" */
	const char *const *syms;	/* the n function names */
	size_t first;
	size_t n;
};

/* Generated (lazylib_table.c): the table and the trampolines' targets. */
extern void *kt_lazylib_slots[];
extern const struct kt_lazylib kt_lazylibs[];
extern const size_t kt_lazylib_count;

/* dlopen() lib->soname and store the address of each of its functions in
 * slots[0..lib->n). Returns 0, or KT_ENOTFOUND with a message in why (the
 * library or one function is missing; nothing is stored then). Thread-safe
 * only under the caller's lock; kt_lazylib_require() takes it. */
int kt_lazylib_bind(const struct kt_lazylib *lib, void **slots, char *why, size_t whylen);

/* Load the library named `name` ("capstone") now if it is not loaded yet.
 * Returns 0 (also in builds that link it normally), KT_ENOTFOUND if it
 * cannot be loaded (the hook is not called: the caller falls back), or
 * KT_EINVAL for a name not in lazylib.list. */
int kt_lazylib_require(const char *name);

/* Whether `name` has been loaded in this process (1/0); builds without
 * trampolines answer 1. For tests and the start-up check. */
int kt_lazylib_loaded(const char *name);

/* Called by the trampolines with their slot index: loads the slot's library
 * or runs the libload hook (which does not return). */
void kt_lazylib_resolve(unsigned slot);

#endif
