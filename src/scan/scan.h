/*
 * scan: find every crash in huge logs fast. The scanner reads raw blocks,
 * skips text that cannot hold a crash header (no header keyword, no byte
 * the normalizer would drop) with the keyword prefilter (kwset.h), and
 * feeds the lines around each candidate through the same normalize ->
 * parser -> sign path as `ktriage analyze`, so it finds exactly the same
 * reports with the same line numbers and titles. It does not decode or
 * diagnose (no findings, no story): that is analyze's job.
 */
#ifndef KT_SCAN_SCAN_H
#define KT_SCAN_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include <ktriage/report.h>

#include "input/input.h"
#include "scan/kwset.h"

struct kt_ctx;
struct kt_scanner;

struct kt_scan_opts {
	enum kt_kwset_engine engine;	/* prefilter engine (KT_KWSET_AUTO) */
	bool full;			/* feed every line (no skipping): the reference */
	size_t chunk;			/* bytes searched per round; 0: 1 MiB (tests
					 * use tiny ones to cross boundaries) */
	unsigned jobs;			/* threads for one plain regular file (byte
					 * ranges; same output); 0 or 1: one */
	uint64_t split_min;		/* smallest range per thread; 0: 16 MiB */
	/* Tests: with jobs > 1, cut the ranges at the line starts at or after
	 * these byte offsets (ascending) instead of evenly. */
	const uint64_t *cuts;
	unsigned n_cuts;
};

/* Callbacks; any may be NULL. `unit` is the display path of the input unit
 * (as in kt_analyze_path()). */
struct kt_scan_cb {
	void (*unit_begin)(void *ud, const char *unit);
	/* A signed report (parse + sign only). The callee owns it: free with
	 * kt_report_free(). */
	void (*report)(void *ud, const char *unit, struct kt_report *r);
	/* `status` is 0 or the negative KT_E* that stopped this unit. */
	void (*unit_end)(void *ud, const char *unit, int status);
	/* About every MiB: bytes consumed from the underlying file so far
	 * (compressed bytes for a compressed input) of member `name`. */
	void (*progress)(void *ud, const char *name, uint64_t bytes);
	void *ud;
};

/* Counters of one scanner (summed over everything it scanned). */
struct kt_scan_stats {
	uint64_t bytes;		/* decompressed bytes searched */
	uint64_t lines;		/* lines in the inputs */
	uint64_t candidates;	/* lines the prefilter handed to normalize + detect */
	uint64_t memo;		/* keywords passed over as a known stripped prefix */
	uint64_t fed;		/* lines fed to the parser */
	uint64_t reports;
	/* -j N: bytes a range's scanner read past its range before it joined
	 * the next one (or the end), and the joins made. */
	uint64_t past_end;
	uint64_t joins;
};

/* Create a scanner (compiles the detector and the keyword set). Returns 0,
 * KT_EFORMAT/KT_ENOTFOUND (data tables), KT_EUNSUPPORTED (engine not built
 * in) or KT_EINVAL, message on ctx. `opts` is copied (NULL: defaults).
 * Caller owns the result; free with kt_scanner_free(). `ctx` is borrowed
 * and must outlive the scanner. */
int kt_scanner_new(struct kt_ctx *ctx, const struct kt_scan_opts *opts,
		   struct kt_scanner **ret);
/* Free a scanner; NULL is a no-op. */
void kt_scanner_free(struct kt_scanner *s);

/* Scan one opened input whose reports are named `name` (report
 * source.file). Reports go to cb->report (unit = name); unit_begin/end are
 * not called. Returns 0 or KT_EIO (message on ctx). */
int kt_scan_input(struct kt_scanner *s, struct kt_input *in, const char *name,
		  const struct kt_scan_cb *cb);

/* Scan everything under PATH like kt_analyze_path() walks it (file, "-",
 * directory, crash folder, tarball). Problems with one unit go to its
 * unit_end status and kt_diag; the walk goes on. Returns 0, or a negative
 * code when PATH itself cannot be read. */
int kt_scan_path(struct kt_scanner *s, const char *path, const struct kt_scan_cb *cb);

/* Counters so far. */
void kt_scanner_stats(const struct kt_scanner *s, struct kt_scan_stats *ret);
/* The keyword engine in use (AUTO resolved). */
enum kt_kwset_engine kt_scanner_engine(const struct kt_scanner *s);

#endif
