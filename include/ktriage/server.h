/*
 * The fleet server: `ktriage serve` as a library. An HTTP server (GNU
 * libmicrohttpd) in front of a crash store (<ktriage/store.h>) that hosts
 * upload crashes, facts and heartbeats to, and a server-rendered web view
 * (HTML with an inline style sheet and inline SVG, no scripts; every page
 * is also JSON with ?format=json).
 *
 * API (docs/server.md has the shapes):
 *   POST /api/v1/uploads     raw bytes of a log or tarball -> 201 new / 200 seen
 *   POST /api/v1/facts       host facts JSON (net audit --format json)
 *   POST /api/v1/heartbeat   {"host", "boot_id", "kernel", "uptime"}
 *   GET  /api/v1/issues, /api/v1/issues/ID
 * Pages: /, /issues/ID, /hosts/NAME, /pools/NAME, /crashes/ID (+ /raw).
 *
 * The library never prints: one line per finished request goes to the
 * `log` callback, which the CLI writes to stderr.
 */
#ifndef KTRIAGE_SERVER_H
#define KTRIAGE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <ktriage/error.h>
#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kt_server;

/* Called once per finished request (from a server thread; calls may run
 * concurrently). `line` is borrowed for the call. */
typedef void (*kt_server_log_fn)(void *ud, const char *line);

struct kt_server_opts {
	const char *db_url;	/* store URL (kt_store_open()); required */
	const char *listen;	/* "ADDR:PORT", "[V6ADDR]:PORT"; NULL: 127.0.0.1:8474; port 0: any */
	/* Bearer tokens, one per line: the token itself, or "sha256:HEX" (its
	 * SHA-256); '#' starts a comment. Only hashes are kept in memory.
	 * NULL: no tokens, and uploads are accepted only from loopback. */
	const char *token_file;
	uint64_t max_body;	/* largest request body in bytes; 0: 256 MiB */
	unsigned threads;	/* worker threads; 0: 4 */
	unsigned max_connections; /* 0: 256 */
	/* Per-host upload rate (X-Ktriage-Host, else the client address):
	 * a token bucket of `rate_burst` refilled at `rate_per_minute`;
	 * over it -> 429. 0: 600 per minute, burst 120. */
	unsigned rate_per_minute;
	unsigned rate_burst;
	const char *tmpdir;	/* where request bodies are spooled; NULL: $TMPDIR or /tmp */
	kt_server_log_fn log;
	void *log_ud;
};

/* Open the store (checking it can be reached), load the tokens and start
 * listening. Caller owns the result; free with kt_server_free() (which
 * stops it). `opts` is copied; its strings may be freed after return.
 * Returns 0, KT_EINVAL (bad listen address, bad token file line), KT_EIO
 * (cannot bind, cannot read the token file) or KT_EDB (message on ctx).
 * The ctx is borrowed and must outlive the server. */
KT_API int kt_server_start(struct kt_ctx *ctx, const struct kt_server_opts *opts,
			   struct kt_server **ret);
/* The port the server listens on (useful with port 0). */
KT_API unsigned kt_server_port(const struct kt_server *s);
/* Stop accepting, finish running requests, close the store handles and
 * free; NULL is a no-op. */
KT_API void kt_server_free(struct kt_server *s);

#ifdef __cplusplus
}
#endif
#endif
