/*
 * normalize/journal: systemd journal entries, in the two forms journalctl
 * writes for programs (https://systemd.io/JOURNAL_EXPORT_FORMATS/):
 *   -o json    one JSON object a line; a field that is not valid UTF-8 is an
 *              array of byte values
 *   -o export  "KEY=value" lines, an entry ending at an empty line; a binary
 *              field is "KEY\n", a 64-bit little-endian length, the bytes, "\n"
 * The fields used (systemd.journal-fields(7)): MESSAGE, PRIORITY, _TRANSPORT
 * ("kernel" for the kernel ring), _HOSTNAME, SYSLOG_IDENTIFIER,
 * __REALTIME_TIMESTAMP (microseconds since the epoch) and
 * _SOURCE_MONOTONIC_TIMESTAMP (kernel messages: microseconds since boot,
 * the printk time).
 */
#ifndef KT_NORMALIZE_JOURNAL_H
#define KT_NORMALIZE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "normalize/line.h"
#include "util/str.h"

/* Longest MESSAGE kept (longer ones are cut; printk records are far shorter). */
#define KT_JOURNAL_MSG_MAX 4096
/* Bytes of the buffer kt_journal_json() needs. */
#define KT_JOURNAL_BUF (KT_JOURNAL_MSG_MAX + 1024)

/* If s is a journal JSON entry (an object with a MESSAGE field), fill the
 * text, level, ts, wallclock, host and tag of *out (fmt KT_FMT_JOURNAL; tag
 * "kernel" for _TRANSPORT=kernel, else SYSLOG_IDENTIFIER or the transport)
 * and return true; the views point into
 * `buf` (KT_JOURNAL_BUF bytes, owned by the caller). Otherwise return false
 * and leave *out alone. Control characters are left for the caller. */
bool kt_journal_json(struct kt_str s, char *buf, struct kt_line *out);

/* ---- -o export streams, fed line by line ---- */
struct kt_jexport;

/* Is this first line of an input the start of an export stream (every
 * entry begins with "__CURSOR=" unless fields were filtered, and then with
 * "__REALTIME_TIMESTAMP=")? */
bool kt_jexport_sniff(struct kt_str first_line);
/* Caller owns the result; free with kt_jexport_free() (NULL is a no-op). */
struct kt_jexport *kt_jexport_new(void);
void kt_jexport_free(struct kt_jexport *jx);
/* Feed the next line of the stream (as kt_input_next() cut it: without its
 * '\n'; `truncated` as it said). Returns true when the line ended an entry
 * that has a MESSAGE: then kt_jexport_line() gives it. Binary fields span
 * lines; a length that does not fit skips to the next empty line. */
bool kt_jexport_feed(struct kt_jexport *jx, struct kt_str line, bool truncated);
/* The input ended: true when an entry without its final empty line is
 * pending (then kt_jexport_line() gives it). */
bool kt_jexport_end(struct kt_jexport *jx);
/* The finished entry as a line (fields as kt_journal_json() fills them;
 * views valid until the next feed). Control characters are left for the
 * caller. */
void kt_jexport_line(struct kt_jexport *jx, struct kt_line *out);

#endif
