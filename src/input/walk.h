/*
 * input: turning what the user named (a file, "-", a directory, a XenServer
 * crash folder, a status-report tarball) into units to analyse. A unit is one
 * log, or the members of one crash folder that belong together. The walk
 * only finds and classifies; reading goes through kt_unit_open().
 */
#ifndef KT_INPUT_WALK_H
#define KT_INPUT_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "input/input.h"

struct kt_ctx;

/* What a member of a unit is (by its name; see xen-crashdump-analyser). */
enum kt_member_role {
	KT_ROLE_LOG,		/* any kernel log */
	KT_ROLE_DOM0_LOG,	/* crash folder dom0.log: dom0 printk ring */
	KT_ROLE_DOMN_LOG,	/* crash folder dom<N>.log, N > 0 */
	KT_ROLE_XEN_LOG,	/* crash folder xen.log: PCPU state + Xen console ring */
	KT_ROLE_XCA_LOG,	/* xen-crashdump-analyser.log */
	KT_ROLE_KEXEC_DMESG,	/* dmesg.kexec.log: dmesg of the crash kernel */
	KT_ROLE_LSPCI,		/* lspci-*.out */
	KT_ROLE_OTHER,		/* anything else in a crash folder */
	KT_ROLE_COUNT
};

struct kt_unit_member {
	const char *name;	/* file name inside the unit ("dom0.log") */
	enum kt_member_role role;
	/* private: how to open the member (see kt_unit_open) */
	const char *path_;	/* file to open ("-" = stdin), or NULL */
	struct kt_input **in_;	/* or NULL: the input reading path_ already */
	const void *data_;	/* in-memory copy (archive member) when path_ is NULL */
	size_t len_;
	kt_input_reader_fn reader_;	/* or a stream (archive member read once) */
	void *reader_ud_;
	int prob_kind_;		/* copy cut short: KT_PROBLEM_*, reported when opened */
	int64_t prob_off_;
	const char *prob_msg_;	/* NULL: none */
};

/* One thing to analyse. */
struct kt_unit {
	const char *display;	/* path shown to the user */
	bool crash_folder;	/* a XenServer crash folder: members belong together */
	size_t n_members;
	struct kt_unit_member *members;	/* sorted by name */
};

/*
 * Called once per unit. The unit and everything it points to is borrowed;
 * valid only during the call. A non-zero return stops the walk and is
 * returned by kt_walk().
 */
typedef int (*kt_unit_fn)(void *ud, const struct kt_unit *unit);

/*
 * Call fn once per unit under `path`, in a stable order.
 * - "-": standard input, looked at like a file: a tar or zip (any
 *   compression) is walked as an archive, anything else is one unit.
 * - a crash folder (a directory with xen.log and/or dom0.log): one unit
 *   with all its regular files as members (in an archive: only the members
 *   whose role is not KT_ROLE_OTHER).
 * - another directory: walked recursively (KT_MAX_DIR_DEPTH levels, the
 *   context's max_members entries, symlink loops skipped, dot-files
 *   skipped); each crash folder, archive and text file in it is a unit
 *   (binary and empty files are skipped). An unreadable entry is a
 *   KT_PROBLEM_UNREADABLE problem; a directory with nothing to look at a
 *   KT_PROBLEM_EMPTY one.
 * - a tar/zip archive (any compression): read once as a stream. Members
 *   named like kernel logs (*.log, kern.log*, messages*, dmesg* ...) are
 *   units read as they stream by (the unit must be read before fn returns,
 *   in archive order); the members of each crash folder are copied into
 *   memory (at most ARCHIVE_BUDGET per archive) and its unit comes after
 *   the end of the archive; archives inside (by name) are walked the same
 *   way, to the context's max_depth (default KT_DEFAULT_MAX_DEPTH), as
 *   "outer:inner:member". A cut or damaged archive is a problem naming it
 *   and the member (KT_PROBLEM_TRUNCATED / KT_PROBLEM_CORRUPT).
 * - any other file: one unit, named as given.
 * Problems go to kt_problem() and the walk goes on.
 * Returns 0, fn's non-zero value, KT_ENOTFOUND (path missing), KT_EIO, or
 * KT_EFORMAT (an archive that cannot be read at all).
 */
int kt_walk(struct kt_ctx *ctx, const char *path, kt_unit_fn fn, void *ud);

/*
 * Split `path` into pieces that can be walked one by one (and in parallel):
 * for a directory that is not a crash folder, fn is called, in kt_walk()'s
 * order, with each crash folder (flags 0) and each file whose name does not
 * rule it out (flags KT_SPLIT_MEMBER: walk it with kt_walk_member(), which
 * looks at its content and skips empty and binary files as kt_walk() does);
 * anything else ("-", a file, a crash folder, a missing path) is one piece,
 * the path itself with flags 0 (walk it with kt_walk()). The pieces give the
 * units of kt_walk(path). Returns 0, fn's non-zero value, or the error that
 * stopped the walk of the directory itself (problems below it go to
 * kt_diag()).
 */
#define KT_SPLIT_MEMBER	1u
typedef int (*kt_split_fn)(void *ud, const char *path, unsigned flags);
int kt_walk_split(struct kt_ctx *ctx, const char *path, kt_split_fn fn, void *ud);
/* A file met in a directory walk: archive, log or skipped (see kt_walk). */
int kt_walk_member(struct kt_ctx *ctx, const char *path, kt_unit_fn fn, void *ud);

/*
 * Walk an archive (tar or zip, any compression, archives inside it to the
 * depth limit) held in memory, as kt_walk() walks an archive file: for
 * tests and fuzzing. `name` names the units ("name:member"). Returns 0,
 * fn's non-zero value or KT_EFORMAT (not even one header readable).
 */
int kt_walk_archive_mem(struct kt_ctx *ctx, const char *name, const void *data, size_t len,
			kt_unit_fn fn, void *ud);

/*
 * Open member `member` of `u` for reading. Returns 0, KT_EINVAL (no such
 * member), KT_ENOTFOUND or KT_EIO. Caller owns the result; free with
 * kt_input_free(). The input may outlive the unit only for a filesystem
 * member; an archive member's input must be freed before fn returns.
 */
int kt_unit_open(struct kt_ctx *ctx, const struct kt_unit *u, size_t member,
		 struct kt_input **ret);

/* Index of the first member with `role`, or -1. */
long kt_unit_find(const struct kt_unit *u, enum kt_member_role role);

/*
 * Whether the unit's xen-crashdump-analyser.log ends the analysis with
 * "INFO  COMPLETE" (xen-crashdump-analyser src/main.cpp: without it the analyser
 * aborted and xen.log/dom0.log may be incomplete). Returns 0 with *ret set,
 * KT_ENOTFOUND when the unit has no analyser log, or KT_EIO.
 */
int kt_xca_complete(struct kt_ctx *ctx, const struct kt_unit *u, bool *ret);

/* Role of a file called `base` inside a crash folder: the crash-folder names
 * of xen-crashdump-analyser, KT_ROLE_LOG for other names of kernel logs
 * (*.log, kern.log*, messages*, dmesg* ...), else KT_ROLE_OTHER. */
enum kt_member_role kt_member_role_of(const char *base);

/* "log", "dom0", "domN", "xen", "xca", "kexec-dmesg", "lspci", "other". */
const char *kt_member_role_name(enum kt_member_role r);
/* Inverse of kt_member_role_name(); KT_ROLE_COUNT when unknown. */
enum kt_member_role kt_member_role_from_name(const char *name);

#endif
