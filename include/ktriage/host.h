/*
 * The host's own crash material: where a Linux or XenServer/XCP-ng host
 * keeps what its crashes left behind, found under a root directory ("/"
 * for this host, or a copy of a host's filesystem):
 *
 *   ROOT/var/crash/<folder>/           XenServer/XCP-ng crash folders (xen.log,
 *                                       dom0.log), kdump-tools dmesg.<stamp>,
 *                                       kexec-tools vmcore-dmesg.txt
 *   ROOT/sys/fs/pstore/                pstore records (dmesg-efi-*, dmesg-ramoops-*,
 *   ROOT/var/lib/systemd/pstore/        console-ramoops-*), multi-part records stitched
 *   ROOT/var/log/journal/              the systemd journal's earlier boots (kernel
 *                                       messages, read with sd-journal)
 *   ROOT/var/log/kern.log or messages  the syslog file, when there is no journal
 *
 * Discovery lists the sources; the text of a pstore record or a journal
 * boot is made when it is loaded (kt_host_source_load), one at a time.
 */
#ifndef KTRIAGE_HOST_H
#define KTRIAGE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/analyze.h>
#include <ktriage/error.h>
#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kt_host_kind {
	KT_HOST_CRASH_FOLDER,	/* XenServer/XCP-ng /var/crash/<stamp>/ */
	KT_HOST_KDUMP,		/* kdump-tools dmesg.<stamp>, kexec-tools vmcore-dmesg.txt */
	KT_HOST_PSTORE,		/* one pstore record (its parts stitched) */
	KT_HOST_JOURNAL,	/* one earlier boot's kernel messages in the journal */
	KT_HOST_SYSLOG,		/* /var/log/kern.log or /var/log/messages */
	KT_HOST_KIND_COUNT
};

KT_API const char *kt_host_kind_name(enum kt_host_kind k);

struct kt_host_source {
	enum kt_host_kind kind;
	/* Stable id (for "already sent" cursors): the path under ROOT for
	 * files and folders, "pstore:<file of part 1>", "journal:<boot id>". */
	char *id;
	/* What to show: the path as on the host, or "journal boot <id>". */
	char *name;
	/* A file or folder to analyse as is (with ROOT), or NULL: then the
	 * text comes from kt_host_source_load(). */
	char *path;
	char *detail;		/* "3 parts", "412 kernel messages", ... or NULL */
	uint64_t size;		/* bytes (files), messages (journal) */
	int64_t mtime;		/* seconds since the epoch, newest part / last message */
	/* internal: the parts of a pstore record, newest first (Part1 first) */
	char **parts;
	size_t n_parts;
	char *boot;		/* journal: the boot id */
	char *root;		/* journal: ROOT, or NULL for this host */
};

struct kt_host_sources {
	struct kt_host_source *v;
	size_t n;
	/* What was looked at and not read, and why (one line each). */
	char **notes;
	size_t n_notes;
};

/* Discovery flags. */
#define KT_HOST_ALL_BOOTS 1u	/* the journal's current boot too (default: earlier boots) */

/* Find the crash sources under `root` (NULL or "/" = this host). Missing
 * places are not errors. Returns 0 or KT_ENOMEM; problems reading one
 * place go to notes. Caller owns the result; free with
 * kt_host_sources_free(). */
KT_API int kt_host_discover(struct kt_ctx *ctx, const char *root, unsigned flags,
			    struct kt_host_sources **ret);
KT_API void kt_host_sources_free(struct kt_host_sources *s);

/* The text of a source that has no path (a pstore record: its parts one
 * after the other, which the analysis stitches; a journal boot as
 * syslog-style lines). Returns 0, KT_EIO or
 * KT_EUNSUPPORTED (built without libsystemd); caller frees *ret_text. At
 * most KT_HOST_MAX_TEXT bytes (the oldest are dropped, with a note line). */
#define KT_HOST_MAX_TEXT (64u << 20)
KT_API int kt_host_source_load(struct kt_ctx *ctx, const struct kt_host_source *src,
			       char **ret_text, size_t *ret_len);

/* ---- uploads to `ktriage serve` ------------------------------------------- */

struct kt_http_opts {
	const char *url;	/* the server: "http://host:8474" */
	const char *token;	/* bearer token, or NULL */
	const char *host;	/* X-Ktriage-Host: this host's name */
	long timeout_s;		/* connect timeout (0 = 10 s); the whole call 6x */
	const char *pool;	/* X-Ktriage-Pool: its pool (name or uuid), or NULL */
	/* X-Ktriage-Kernel: the kernel release the host ran when the crashes
	 * in the body happened, when known (NULL: not sent) */
	const char *kernel;
};
/* POST `body` to url + path ("/api/v1/uploads") with X-Ktriage-Source:
 * source (when not NULL). Returns 0 when the server answered (*ret_status
 * = the HTTP status, *ret_reply = its body, at most 1 MiB, caller frees;
 * ret_reply may be NULL), or KT_EIO when it could not be reached (message
 * on ctx), KT_EUNSUPPORTED without libcurl. */
KT_API int kt_http_post(struct kt_ctx *ctx, const struct kt_http_opts *o, const char *path,
			const char *source, const char *content_type, const void *body,
			size_t len, long *ret_status, char **ret_reply);

/* The same with the body read from `file` as it is sent (bounded memory). */
KT_API int kt_http_post_file(struct kt_ctx *ctx, const struct kt_http_opts *o, const char *path,
			     const char *source, const char *content_type, const char *file,
			     long *ret_status, char **ret_reply);

/* ---- the agent (ktriage agent) --------------------------------------------- */

struct kt_agent;

struct kt_agent_opts {
	const char *root;	/* NULL or "/": this host; else a copied filesystem */
	const char *spool;	/* NULL: ROOT/var/lib/ktriage */
	const char *kmsg_path;	/* NULL: /dev/kmsg */
	struct kt_http_opts http; /* http.url NULL: spool only */
	const char *db_url;	/* --db: into the crash store instead (when built with it) */
	bool no_kmsg;		/* not /dev/kmsg (then the syslog file is read) */
	bool no_facts;		/* no net audit */
	bool no_heartbeat;
};

/* What one round did. Zero it before the first round; a round frees and
 * replaces last_error; free it after the last round. */
struct kt_agent_stats {
	size_t found;		/* crash sources seen */
	size_t spooled;		/* new items put in incoming/ */
	size_t sent;		/* items the server took */
	size_t failed;		/* items the server refused for good (to failed/) */
	size_t pending;		/* items left in incoming/ for a later round */
	size_t errors;		/* sources that could not be read */
	uint64_t lost;		/* kmsg messages lost to overruns */
	bool server_down;	/* unreachable, or 401/403/429/5xx: try again later */
	long last_status;
	int xe_crashdumps;	/* xe host-crashdump-list entries, -1 when not XenServer */
	char *last_error;
};

/* The agent on `an`'s analyzer (borrowed; used to find crashes in journal
 * boots, the syslog file and /dev/kmsg). Makes the spool. Returns 0 or
 * KT_EIO (message on ctx). Free with kt_agent_free(). */
KT_API int kt_agent_new(struct kt_ctx *ctx, struct kt_analyzer *an,
			const struct kt_agent_opts *o, struct kt_agent **ret);
KT_API void kt_agent_free(struct kt_agent *ag);
KT_API const char *kt_agent_spool(const struct kt_agent *ag);
/* One round: discover, spool what is new, send what is spooled. Does no
 * reading beyond stat(2) calls when nothing changed. Returns 0 or a
 * negative code when the round could not run at all. */
KT_API int kt_agent_round(struct kt_agent *ag, struct kt_agent_stats *st);

/* ---- following: a growing log file, /dev/kmsg ---------------------------- */

struct kt_follow;

struct kt_follow_stats {
	uint64_t lost;		/* kmsg: messages overwritten before they were read */
	uint64_t overruns;	/* kmsg: reads that failed with EPIPE */
	uint64_t last_seq;	/* kmsg: sequence number of the last record */
	uint64_t rotations;	/* file: the path named a new file */
	uint64_t truncations;	/* file: the file shrank; read again from its start */
};

/* Follow a file (tail -F): from its end, or its start. Returns 0,
 * KT_ENOTFOUND or KT_EIO. Free with kt_follow_free(). */
KT_API int kt_follow_file(struct kt_ctx *ctx, const char *path, bool from_start,
			  struct kt_follow **ret);
/* Follow /dev/kmsg (path NULL) or a saved copy (a regular file: one record
 * per line): from the newest record, or the oldest in the buffer
 * (from_start), or the first with a sequence number above after_seq. */
KT_API int kt_follow_kmsg(struct kt_ctx *ctx, const char *path, bool from_start,
			  uint64_t after_seq, struct kt_follow **ret);
/* The next line (kmsg: "[ssss.uuuuuu] text", as dmesg prints it), within
 * timeout_ms: returns 1 (a line; borrowed until the next call), 0 (none
 * came) or KT_EIO. */
KT_API int kt_follow_next(struct kt_follow *f, int timeout_ms, const char **line,
			  size_t *len);
KT_API void kt_follow_get_stats(const struct kt_follow *f, struct kt_follow_stats *ret);
KT_API void kt_follow_free(struct kt_follow *f);

/* One /dev/kmsg record: "PRI,SEQ,TS_USEC,FLAGS[,...];TEXT" (linux
 * Documentation/ABI/testing/dev-kmsg). text is borrowed from the record,
 * still escaped (\xNN). Returns 0 or KT_EFORMAT. */
struct kt_kmsg_record {
	int level, facility;
	uint64_t seq, ts_usec;
	char flag;		/* '-', 'c' (a line begun), '+' (its continuation) */
	const char *text;
	size_t text_len;
};
KT_API int kt_kmsg_parse(const char *rec, size_t len, struct kt_kmsg_record *ret);

#ifdef __cplusplus
}
#endif
#endif
