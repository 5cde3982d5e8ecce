/*
 * normalize: strip the prefixes that logging layers put in front of kernel
 * messages (dmesg, printk caller, syslog, journalctl, /dev/kmsg, XenServer
 * dom0.log ring, Xen console, dmesg -T/-x/-d, SOH/<N> levels, e-mail "> "
 * quoting, Go-log/conserver "YYYY/MM/DD HH:MM:SS" stamps) and clean
 * control characters, ANSI escapes and invalid UTF-8, producing a struct
 * kt_line. Per-line, byte-level, no regex; it does not merge lines.
 */
#ifndef KT_NORMALIZE_NORMALIZE_H
#define KT_NORMALIZE_NORMALIZE_H

#include <stdint.h>

#include "normalize/line.h"
#include "util/str.h"

struct kt_normalizer;

/* Create a normalizer (holds a scratch buffer; no other state between
 * lines). Caller owns the result; free with kt_normalizer_free(). */
struct kt_normalizer *kt_normalizer_new(void);
/* Free a normalizer; NULL is a no-op. */
void kt_normalizer_free(struct kt_normalizer *n);

/*
 * Normalize one raw line (without its '\n') numbered `no` into *out; every
 * field of *out is written. out->raw is `raw` (cut to KT_MAX_LINE, then
 * out->truncated is set; callers reading through kt_input should OR in the
 * input's own truncated flag). out->text, wallclock, host and tag point into
 * `raw` or into the normalizer's scratch buffer: borrowed; valid until the
 * next kt_normalize() call on `n` and while `raw` is valid.
 * Cleaning: a '\r' inside the line keeps only what follows it (what a
 * terminal shows), ANSI escape sequences and control characters other than
 * TAB are dropped (NUL too), a leading SOH level ("\x01" "4") sets the level,
 * invalid UTF-8 bytes become '?'.
 * Format names: journalctl "short" output and RFC 3164 syslog look the same
 * and are reported as KT_FMT_SYSLOG; sub-second times, "+0000" ISO zones,
 * short-full/short-monotonic and "-- Boot ... --" lines as KT_FMT_JOURNAL.
 */
void kt_normalize(struct kt_normalizer *n, struct kt_str raw, uint32_t no, struct kt_line *out);

struct kt_jexport;
/* The entry a `journalctl -o export` decoder (normalize/journal.h) has
 * ready, as a line numbered `no` (its raw text is the message); views valid
 * until the next call on `n` or `jx`. */
void kt_normalize_jexport(struct kt_normalizer *n, struct kt_jexport *jx, uint32_t no,
			  struct kt_line *out);

/*
 * The level word of XenServer's dom0.log ring for printk level `level`
 * (0..7: "EMERG" ... "DEBUG"), as the normalizer reads it right-aligned in
 * six columns ("[  12.345678]  ALERT: msg"); NULL out of range. Static.
 */
const char *kt_normalize_ring_word(int level);

#endif
