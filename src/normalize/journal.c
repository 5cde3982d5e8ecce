/*
 * normalize/journal: journal entries in JSON and export form (journal.h).
 * Both end in the same struct of fields, turned into a kt_line by one
 * function, so the two forms cannot drift apart.
 */
#include "normalize/journal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ktriage/limits.h>

#include "util/mem.h"

/* The fields of one entry that make a line. Views into caller storage. */
struct fields {
	struct kt_str message, host, transport, ident;
	struct kt_str priority, realtime, monotonic;
};

/* "2023-11-14T22:13:20.123456Z" from microseconds since the epoch. */
static struct kt_str
wallclock(uint64_t usec, char *at)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	int n;

	if (!gmtime_r(&t, &tm))
		return kt_str_make(at, 0);
	n = snprintf(at, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (unsigned)(usec % 1000000));
	return kt_str_make(at, n > 0 && n < 40 ? (size_t)n : 0);
}

static bool
dec(struct kt_str s, uint64_t *ret)
{
	return s.len && s.len <= 20 && kt_parse_dec(s, ret) == s.len;
}

/* Fill *out from the fields; `wc` has 40 bytes for the wallclock text. */
static void
to_line(const struct fields *f, char *wc, struct kt_line *out)
{
	static const char kernel[] = "kernel";
	uint64_t v;

	out->fmt = KT_FMT_JOURNAL;
	out->text = f->message;
	/* a trailing newline is not part of the message */
	while (out->text.len && (out->text.p[out->text.len - 1] == '\n' ||
				 out->text.p[out->text.len - 1] == '\r'))
		out->text.len--;
	if (out->text.len > KT_JOURNAL_MSG_MAX)
		out->text.len = KT_JOURNAL_MSG_MAX;
	out->host = f->host;
	if (kt_str_eq_cstr(f->transport, "kernel")) {
		out->tag = kt_str_make(kernel, sizeof(kernel) - 1);
		if (dec(f->monotonic, &v))
			out->ts = (double)v / 1e6;
	} else {
		/* a user-space entry always says so: its identifier, else its
		 * transport ("stdout", "syslog", "journal", "audit") */
		out->tag = f->ident.len ? f->ident : f->transport;
	}
	if (dec(f->priority, &v) && v <= 7)
		out->level = (int)v;
	if (dec(f->realtime, &v))
		out->wallclock = wallclock(v, wc);
}

/* ---- JSON ---- */

/* Copy a field (string, or array of byte values) into buf[*pos..], at most
 * max bytes. */
static struct kt_str
json_field(json_t *obj, const char *key, char *buf, size_t *pos, size_t max)
{
	json_t *v = json_object_get(obj, key);
	size_t n = 0, start = *pos;

	if (json_is_string(v)) {
		n = json_string_length(v);
		if (n > max)
			n = max;
		memcpy(buf + start, json_string_value(v), n);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *b;

		json_array_foreach(v, i, b) {
			if (n >= max)
				break;
			buf[start + n++] = (char)(json_is_integer(b) ? json_integer_value(b) & 0xff : '?');
		}
	} else if (json_is_integer(v) && max >= 24) {
		n = (size_t)snprintf(buf + start, 24, "%lld", (long long)json_integer_value(v));
	}
	*pos = start + n;
	return kt_str_make(buf + start, n);
}

bool
kt_journal_json(struct kt_str s, char *buf, struct kt_line *out)
{
	struct fields f;
	size_t pos = 0;
	json_t *obj;

	if (s.len < 12 || s.p[0] != '{' || !memmem(s.p, s.len, "\"MESSAGE\"", 9))
		return false;
	obj = json_loadb(s.p, s.len, JSON_DISABLE_EOF_CHECK, NULL);
	if (!json_is_object(obj) || !json_object_get(obj, "MESSAGE")) {
		json_decref(obj);
		return false;
	}
	f.message = json_field(obj, "MESSAGE", buf, &pos, KT_JOURNAL_MSG_MAX);
	f.host = json_field(obj, "_HOSTNAME", buf, &pos, 255);
	f.transport = json_field(obj, "_TRANSPORT", buf, &pos, 32);
	f.ident = json_field(obj, "SYSLOG_IDENTIFIER", buf, &pos, 255);
	f.priority = json_field(obj, "PRIORITY", buf, &pos, 24);
	f.realtime = json_field(obj, "__REALTIME_TIMESTAMP", buf, &pos, 24);
	f.monotonic = json_field(obj, "_SOURCE_MONOTONIC_TIMESTAMP", buf, &pos, 24);
	json_decref(obj);
	to_line(&f, buf + pos, out);
	return true;
}

/* ---- export ---- */

enum { F_MESSAGE, F_HOST, F_TRANSPORT, F_IDENT, F_PRIORITY, F_REALTIME, F_MONOTONIC, F_COUNT };

static const struct {
	const char *key;
	size_t max;
} keys[F_COUNT] = {
	[F_MESSAGE] = { "MESSAGE", KT_JOURNAL_MSG_MAX },
	[F_HOST] = { "_HOSTNAME", 255 },
	[F_TRANSPORT] = { "_TRANSPORT", 32 },
	[F_IDENT] = { "SYSLOG_IDENTIFIER", 255 },
	[F_PRIORITY] = { "PRIORITY", 24 },
	[F_REALTIME] = { "__REALTIME_TIMESTAMP", 24 },
	[F_MONOTONIC] = { "_SOURCE_MONOTONIC_TIMESTAMP", 24 },
};

struct kt_jexport {
	char *val[F_COUNT];	/* keys[i].max bytes each */
	size_t len[F_COUNT];
	bool set[F_COUNT];
	bool any;		/* a field of the current entry was seen */
	/* a binary field in progress: its index (or -1: not kept) */
	bool in_binary;
	bool bin_term;		/* the data ended with '\n': its terminator is next */
	int bin_field;
	uint64_t bin_left;	/* bytes of data still to come */
	bool bin_have_len;
	unsigned char lenbuf[8];
	size_t lenbuf_n;
	bool resync;		/* lost track: skip to the next empty line */
	char wc[40];
};

bool
kt_jexport_sniff(struct kt_str l)
{
	return kt_str_starts_with(l, "__CURSOR=") || kt_str_starts_with(l, "__REALTIME_TIMESTAMP=");
}

struct kt_jexport *
kt_jexport_new(void)
{
	struct kt_jexport *jx = kt_calloc(1, sizeof(*jx));

	for (int i = 0; i < F_COUNT; i++)
		jx->val[i] = kt_malloc(keys[i].max);
	return jx;
}

void
kt_jexport_free(struct kt_jexport *jx)
{
	if (!jx)
		return;
	for (int i = 0; i < F_COUNT; i++)
		free(jx->val[i]);
	free(jx);
}

static int
field_index(struct kt_str key)
{
	for (int i = 0; i < F_COUNT; i++)
		if (kt_str_eq_cstr(key, keys[i].key))
			return i;
	return -1;
}

static void
store(struct kt_jexport *jx, int i, const char *p, size_t n)
{
	size_t room;

	if (i < 0)
		return;
	room = keys[i].max - jx->len[i];
	if (n > room)
		n = room;
	memcpy(jx->val[i] + jx->len[i], p, n);
	jx->len[i] += n;
	jx->set[i] = true;
}

static void
reset(struct kt_jexport *jx)
{
	memset(jx->len, 0, sizeof(jx->len));
	memset(jx->set, 0, sizeof(jx->set));
	jx->any = jx->in_binary = jx->bin_term = jx->resync = false;
}

/* Bytes of a binary field: first the 8-byte length, then the data; the
 * line cut removed a '\n' after `s` unless this is the data's own end. */
/* A binary field longer than this is not believed (journald's own cap on
 * a field is far lower: DATA_SIZE_MAX, 768 MiB, is for whole entries). */
#define BINARY_MAX (64u << 20)

static void
got_length(struct kt_jexport *jx)
{
	jx->bin_left = 0;
	for (int k = 7; k >= 0; k--)
		jx->bin_left = jx->bin_left << 8 | jx->lenbuf[k];
	jx->bin_have_len = true;
	if (jx->bin_left > BINARY_MAX) {
		jx->in_binary = false;
		jx->resync = true;
	}
}

static void
binary_bytes(struct kt_jexport *jx, struct kt_str s, bool truncated)
{
	size_t i = 0;

	while (!jx->bin_have_len && i < s.len) {
		jx->lenbuf[jx->lenbuf_n++] = (unsigned char)s.p[i++];
		if (jx->lenbuf_n == 8)
			got_length(jx);
	}
	if (jx->resync)
		return;
	if (!jx->bin_have_len) {	/* the length itself held a '\n' */
		jx->lenbuf[jx->lenbuf_n++] = '\n';
		if (jx->lenbuf_n == 8) {
			got_length(jx);
			if (!jx->resync && jx->bin_left == 0) {
				jx->in_binary = false;	/* empty data, its '\n' follows */
				jx->bin_term = true;
			}
		}
		return;
	}
	s = kt_str_skip(s, i);
	if (truncated || s.len > jx->bin_left) {
		jx->resync = true;	/* KT_MAX_LINE cut it, or the length lies */
		jx->in_binary = false;
		return;
	}
	store(jx, jx->bin_field, s.p, s.len);
	jx->bin_left -= s.len;
	if (jx->bin_left == 0) {
		jx->in_binary = false;	/* the '\n' after the data was the cut */
		return;
	}
	store(jx, jx->bin_field, "\n", 1);	/* a '\n' inside the data */
	jx->bin_left--;
	if (jx->bin_left == 0) {
		jx->in_binary = false;
		jx->bin_term = true;	/* the terminator makes an empty line next */
	}
}

bool
kt_jexport_feed(struct kt_jexport *jx, struct kt_str l, bool truncated)
{
	long eq;

	if (jx->in_binary) {
		binary_bytes(jx, l, truncated);
		return false;
	}
	if (jx->bin_term) {
		jx->bin_term = false;
		if (l.len == 0)
			return false;
		jx->resync = true;	/* the data was longer than its length said */
		return false;
	}
	if (l.len == 0) {
		bool done = jx->any && jx->set[F_MESSAGE];

		if (!done)
			reset(jx);
		jx->resync = false;
		return done;
	}
	if (jx->resync)
		return false;
	if (!jx->any) {
		reset(jx);
		jx->any = true;
	}
	eq = kt_str_chr(l, '=');
	if (eq < 0) {
		/* "MESSAGE" then the binary length and data */
		jx->in_binary = true;
		jx->bin_field = field_index(l);
		jx->bin_have_len = false;
		jx->lenbuf_n = 0;
		return false;
	}
	store(jx, field_index(kt_str_sub(l, 0, (size_t)eq)), l.p + eq + 1, l.len - (size_t)eq - 1);
	return false;
}

bool
kt_jexport_end(struct kt_jexport *jx)
{
	return jx->any && jx->set[F_MESSAGE] && !jx->in_binary;
}

void
kt_jexport_line(struct kt_jexport *jx, struct kt_line *out)
{
	struct fields f;
	struct kt_str *v[F_COUNT] = {
		[F_MESSAGE] = &f.message, [F_HOST] = &f.host, [F_TRANSPORT] = &f.transport,
		[F_IDENT] = &f.ident, [F_PRIORITY] = &f.priority, [F_REALTIME] = &f.realtime,
		[F_MONOTONIC] = &f.monotonic,
	};

	for (int i = 0; i < F_COUNT; i++)
		*v[i] = kt_str_make(jx->val[i], jx->len[i]);
	to_line(&f, jx->wc, out);
	jx->any = false;	/* the next line starts a new entry */
}
