/*
 * util: the loader behind the load-on-first-call trampolines (lazylib.h).
 * It binds a whole library at once under one lock, so the trampolines read
 * their slot without locking: a slot is written once, before `loaded`.
 * It does not decide which libraries are lazy (lazylib.list does).
 */
#include "util/lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktriage/error.h>

#include "util/mem.h"

#ifdef KT_HAVE_LAZYLIB

static void
default_libload(const char *soname, const char *why)
{
	(void)fprintf(stderr, "ktriage: cannot load %s, which this needs: %s\n", soname, why);
	/* _exit: this may run in a worker thread while another one holds
	 * stdout's lock (exit() would flush it and could wait forever). */
	_exit(3);
}

/* Process-wide like the OOM hook (error.h): set once at start-up. */
static kt_libload_fn libload_fn = default_libload;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char loaded[64];

void
kt_set_libload_handler(kt_libload_fn fn)
{
	libload_fn = fn ? fn : default_libload;
}

int
kt_lazylib_bind(const struct kt_lazylib *lib, void **slots, char *why, size_t whylen)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	void **tmp;

	if (!h) {
		(void)snprintf(why, whylen, "%s", dlerror());
		return KT_ENOTFOUND;
	}
	tmp = calloc(lib->n ? lib->n : 1, sizeof(*tmp));
	if (!tmp)
		kt_oom(lib->n * sizeof(*tmp));
	for (size_t i = 0; i < lib->n; i++) {
		tmp[i] = dlsym(h, lib->syms[i]);
		if (!tmp[i]) {
			(void)snprintf(why, whylen, "%s has no function %s", lib->soname,
				       lib->syms[i]);
			free(tmp);
			(void)dlclose(h);
			return KT_ENOTFOUND;
		}
	}
	/* Release stores: another thread's trampoline may read a slot now. */
	for (size_t i = 0; i < lib->n; i++)
		__atomic_store_n(&slots[i], tmp[i], __ATOMIC_RELEASE);
	free(tmp);
	return 0;
}

static const struct kt_lazylib *
find(const char *name)
{
	for (size_t i = 0; i < kt_lazylib_count; i++)
		if (strcmp(kt_lazylibs[i].name, name) == 0)
			return &kt_lazylibs[i];
	return NULL;
}

/* Load lib unless loaded; caller holds `lock`. */
static int
load_locked(const struct kt_lazylib *lib, char *why, size_t whylen)
{
	size_t idx = (size_t)(lib - kt_lazylibs);
	int rc;

	if (loaded[idx])
		return 0;
	rc = kt_lazylib_bind(lib, &kt_lazylib_slots[lib->first], why, whylen);
	if (rc == 0)
		loaded[idx] = 1;
	return rc;
}

int
kt_lazylib_require(const char *name)
{
	const struct kt_lazylib *lib = find(name);
	char why[512];
	int rc;

	if (!lib)
		return KT_EINVAL;
	(void)pthread_mutex_lock(&lock);
	rc = load_locked(lib, why, sizeof(why));
	(void)pthread_mutex_unlock(&lock);
	return rc;
}

int
kt_lazylib_loaded(const char *name)
{
	const struct kt_lazylib *lib = find(name);
	int on;

	if (!lib)
		return 0;
	(void)pthread_mutex_lock(&lock);
	on = loaded[lib - kt_lazylibs];
	(void)pthread_mutex_unlock(&lock);
	return on;
}

void
kt_lazylib_resolve(unsigned slot)
{
	char why[512];

	for (size_t i = 0; i < kt_lazylib_count; i++) {
		const struct kt_lazylib *lib = &kt_lazylibs[i];

		if (slot < lib->first || slot >= lib->first + lib->n)
			continue;
		(void)pthread_mutex_lock(&lock);
		if (load_locked(lib, why, sizeof(why)) == 0) {
			(void)pthread_mutex_unlock(&lock);
			return;
		}
		(void)pthread_mutex_unlock(&lock);
		libload_fn(lib->soname, why);
		abort();
	}
	abort();	/* a slot index the generator did not hand out */
}

#else /* the libraries are linked as usual */

void
kt_set_libload_handler(kt_libload_fn fn)
{
	(void)fn;
}

int
kt_lazylib_require(const char *name)
{
	(void)name;
	return 0;
}

int
kt_lazylib_loaded(const char *name)
{
	(void)name;
	return 1;
}

#endif
