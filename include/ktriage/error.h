/*
 * Public error codes and the library context that carries error detail.
 * Every fallible function returns 0 or a negative KT_E* code; the message
 * lives on the context (see kt_ctx_errmsg()), never in global state.
 */
#ifndef KTRIAGE_ERROR_H
#define KTRIAGE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kt_err {
	KT_OK = 0,
	KT_ENOMEM = -1,		/* allocation failed (only with a custom OOM hook) */
	KT_EIO = -2,		/* reading or writing a file, socket or process */
	KT_EINVAL = -3,		/* bad argument from the caller */
	KT_EFORMAT = -4,	/* input is not in a format we can read */
	KT_ENOTFOUND = -5,	/* file, interface, rule, network ... does not exist */
	KT_EDB = -6,		/* crash store failure (later) */
	KT_EUNSUPPORTED = -7,	/* not possible on this host/build */
	KT_ERR_COUNT_ = 8
};

/* Library context: options, error message, diagnostics sink. Not thread-safe;
 * use one per thread. */
struct kt_ctx;

/* Severity of a note (lenient-parser diagnostic). */
enum kt_sev {
	KT_SEV_INFO,
	KT_SEV_WARN,
	KT_SEV_ERROR,
	KT_SEV_COUNT
};

/* Called for each diagnostic the library wants the user to see about an
 * input (unreadable member, truncated line ...). `what` names the input. */
typedef void (*kt_diag_fn)(void *userdata, enum kt_sev sev, const char *what,
			   const char *msg);

/* Called when an allocation fails; must not return (default: abort()). */
typedef void (*kt_oom_fn)(size_t size);

/* Called when a shared library that ktriage opens on first use (Capstone,
 * libarchive, libpq ...: src/util/lazylib.list) cannot be loaded; `why` is
 * the loader's message. Must not return (default: message to stderr and
 * _exit(3), the runtime-error status). */
typedef void (*kt_libload_fn)(const char *soname, const char *why);

/* Create a context. Caller owns the result; free with kt_ctx_free(). */
KT_API struct kt_ctx *kt_ctx_new(void);
/* Free a context; NULL is a no-op. */
KT_API void kt_ctx_free(struct kt_ctx *ctx);
/* Let `ctx` use the compiled knowledge tables of `from` (crash headers,
 * title recipes, decoder tables, the built-in rules): each is built once,
 * by whichever context needs it first, and then only read, so contexts
 * sharing them may be used by different threads at the same time (each
 * thread its own context). Call before `ctx` has built a table, after
 * giving both the same data directory. Returns 0, or KT_EINVAL when `ctx`
 * has built tables of its own or the data directories differ. The tables
 * live until the last context using them is freed. */
KT_API int kt_ctx_share_tables(struct kt_ctx *ctx, struct kt_ctx *from);

/* Message of the last error returned through this context ("" if none).
 * Borrowed; valid until the next call that fails on `ctx`. */
KT_API const char *kt_ctx_errmsg(const struct kt_ctx *ctx);

/* Set the diagnostics callback (NULL: diagnostics are dropped). */
KT_API void kt_ctx_set_diag(struct kt_ctx *ctx, kt_diag_fn fn, void *userdata);

/* Record an error message on ctx and return `code` (so callers can write
 * `return kt_error(ctx, KT_EIO, "reading '%s'", path);`). */
KT_API int kt_error(struct kt_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Emit a diagnostic through the ctx's callback, if any. */
KT_API void kt_diag(struct kt_ctx *ctx, enum kt_sev sev, const char *what,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Human name of an error code ("I/O error" ...). Static string. */
KT_API const char *kt_strerror(int code);

/* Replace the process-wide OOM hook (the only process-wide setting; set it
 * once at start-up, before any thread uses the library). */
KT_API void kt_set_oom_handler(kt_oom_fn fn);

/* Replace the process-wide hook for a library that cannot be loaded on
 * first use (set it once at start-up, like the OOM hook; NULL restores the
 * default). */
KT_API void kt_set_libload_handler(kt_libload_fn fn);

/* Read knowledge files from DIR instead of the embedded copies (a file
 * missing in DIR falls back to the embedded one). Borrowed: DIR must stay
 * valid while ctx is used. */
KT_API void kt_ctx_set_data_dir(struct kt_ctx *ctx, const char *dir);

/* Make every report allocation a separate heap block so AddressSanitizer
 * and valgrind see overruns (the CLI sets it from KT_ARENA_DEBUG=1).
 * Process-wide: set once at start-up. */
KT_API void kt_set_debug_allocations(int on);

/* Name of a severity ("info", "warning", "error"). */
KT_API const char *kt_sev_name(enum kt_sev sev);

#ifdef __cplusplus
}
#endif
#endif
