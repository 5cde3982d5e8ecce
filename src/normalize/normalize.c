/*
 * normalize: per-line prefix stripping (see normalize.h). A line is first
 * checked word-at-a-time for bytes that need cleaning (control characters,
 * ESC, bytes >= 0x80); only such lines are copied into the scratch buffer.
 * Then the first byte picks the recognisers to try, each a short byte-level
 * matcher with one real example above it. Formats: linux kernel/printk,
 * syslog (RFC 3164, RFC 5424), journald, xen-crashdump-analyser and the Xen
 * console (xen xen/drivers/char/console.c). It never looks at the message itself.
 */
#include "normalize/normalize.h"

#include <stdlib.h>
#include <string.h>

#include <ktriage/limits.h>

#include "normalize/journal.h"
#include "util/mem.h"

struct kt_normalizer {
	char *scratch;		/* KT_MAX_LINE bytes: cleaned copy of the line */
	char *journal;		/* KT_JOURNAL_BUF bytes: fields of a journal JSON entry */
};

struct kt_normalizer *
kt_normalizer_new(void)
{
	struct kt_normalizer *n = kt_calloc(1, sizeof(*n));

	n->scratch = kt_malloc(KT_MAX_LINE);
	n->journal = kt_malloc(KT_JOURNAL_BUF);
	return n;
}

void
kt_normalizer_free(struct kt_normalizer *n)
{
	if (!n)
		return;
	free(n->scratch);
	free(n->journal);
	free(n);
}

/* --- cleaning ------------------------------------------------------------ */

/* True if any byte of w is < 0x20, == 0x7f or >= 0x80 (may also be true
 * for a clean word; the exact check follows). Bit tricks: "Bit Twiddling
 * Hacks", Determine if a word has a byte less than n. */
static inline bool
word_suspect(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t del = w ^ (ones * 0x7f);

	return (((w - ones * 0x20) & ~w) | w | ((del - ones) & ~del)) & high;
}


static bool
needs_cleaning(struct kt_str s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0;

	for (; i + 8 <= s.len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (word_suspect(w))
			break;
	}
	for (; i < s.len; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f)
			continue;
		if (c == '\t')
			continue;
		if (c < 0x80)
			return true;
		size_t l = kt_utf8_len(p + i, s.len - i);
		if (l == 0)
			return true;
		i += l - 1;
	}
	return false;
}

/* Bytes of the escape sequence starting with ESC at p[0] (ECMA-48 §5.4:
 * CSI parameter 0x30-0x3f, intermediate 0x20-0x2f, final 0x40-0x7e; OSC ends
 * with BEL or ESC \). "\x1b[32m ok \x1b[39;49m", "\x1b[?25l" */
static size_t
escape_len(const char *p, size_t n)
{
	size_t i = 2;

	if (n < 2)
		return n;
	if (p[1] == '[') {
		while (i < n && (unsigned char)p[i] >= 0x20 && (unsigned char)p[i] <= 0x3f)
			i++;
		return i < n && (unsigned char)p[i] >= 0x40 && (unsigned char)p[i] <= 0x7e ? i + 1 : i;
	}
	if (p[1] == ']') {
		for (; i < n; i++) {
			if (p[i] == '\a')
				return i + 1;
			if (p[i] == 0x1b && i + 1 < n && p[i + 1] == '\\')
				return i + 2;
		}
		return n;
	}
	return 2;
}

/* Copy s into the scratch buffer cleaned (see normalize.h). A leading SOH
 * level sets *level. */
static struct kt_str
clean(struct kt_normalizer *n, struct kt_str s, int *level)
{
	const unsigned char *p = (const unsigned char *)s.p;
	char *o = n->scratch;
	size_t k = 0;

	for (size_t i = 0; i < s.len;) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f) {
			o[k++] = (char)c;
			i++;
		} else if (c == '\t') {
			o[k++] = '\t';
			i++;
		} else if (c == '\r') {
			k = 0;		/* carriage return: the rest overwrites */
			i++;
		} else if (c == 0x1b) {
			i += escape_len(s.p + i, s.len - i);
		} else if (c == 0x01 && i + 1 < s.len) {
			/* KERN_SOH "\001" + level digit or 'c' (include/linux/kern_levels.h) */
			if (k == 0 && p[i + 1] >= '0' && p[i + 1] <= '7')
				*level = p[i + 1] - '0';
			i += 2;
		} else if (c < 0x80) {
			i++;		/* other controls, DEL, NUL */
		} else {
			size_t l = kt_utf8_len(p + i, s.len - i);

			if (l == 0) {
				o[k++] = '?';
				i++;
			} else {
				memcpy(o + k, p + i, l);
				k += l;
				i += l;
			}
		}
	}
	return kt_str_make(o, k);
}

/* --- cursor helpers ------------------------------------------------------ */

static inline bool
at(struct kt_str s, size_t i, char c)
{
	return i < s.len && s.p[i] == c;
}

static inline bool
digit_at(struct kt_str s, size_t i)
{
	return i < s.len && kt_is_digit(s.p[i]);
}

static inline bool
alpha_at(struct kt_str s, size_t i)
{
	return i < s.len && kt_is_alpha(s.p[i]);
}

static size_t
skip_spaces(struct kt_str s, size_t i)
{
	while (i < s.len && s.p[i] == ' ')
		i++;
	return i;
}

/* Up to `max` decimal digits at i into *v; returns how many. */
static size_t
digits(struct kt_str s, size_t i, size_t max, uint64_t *v)
{
	size_t n = 0;

	*v = 0;
	while (n < max && i + n < s.len && kt_is_digit(s.p[i + n])) {
		*v = *v * 10 + (uint64_t)(s.p[i + n] - '0');
		n++;
	}
	return n;
}

/* Fixed-position match: pattern 'd' = digit, '_' = space or digit,
 * 'a' = letter, anything else literally. */
static bool
shape(struct kt_str s, size_t i, const char *pat)
{
	for (; *pat; pat++, i++) {
		if (i >= s.len)
			return false;
		if (*pat == 'd' ? !kt_is_digit(s.p[i]) :
		    *pat == '_' ? s.p[i] != ' ' && !kt_is_digit(s.p[i]) :
		    *pat == 'a' ? !kt_is_alpha(s.p[i]) : s.p[i] != *pat)
			return false;
	}
	return true;
}

static void
set_text(struct kt_line *out, struct kt_str s, size_t i)
{
	out->text = kt_str_skip(s, i);
}

/* --- recognisers ---------------------------------------------------------- */

static const double pow10_tab[10] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

/* "[   12.345678]", "[2637695.833005]", dmesg -d "[   12.345678 <    0.000123>]",
 * and a TAB as the padding ("[\t68764.975944]WARNING: ...", as some serial
 * console captures show it). i is at '['; returns the index after ']' or 0. */
static size_t
kernel_ts(struct kt_str s, size_t i, double *ts)
{
	uint64_t sec, frac;
	size_t j = i + 1, nd, nf;

	while (j < s.len && (s.p[j] == ' ' || s.p[j] == '\t'))
		j++;

	nd = digits(s, j, 12, &sec);
	if (nd == 0 || !at(s, j + nd, '.'))
		return 0;
	j += nd + 1;
	nf = digits(s, j, 9, &frac);
	if (nf == 0)
		return 0;
	j += nf;
	if (at(s, j, ' ') && at(s, j + 1, '<')) {
		const char *gt = memchr(s.p + j, '>', s.len - j < 32 ? s.len - j : 32);

		if (!gt)
			return 0;
		j = (size_t)(gt - s.p) + 1;
	}
	if (!at(s, j, ']'))
		return 0;
	*ts = (double)sec + (double)frac / pow10_tab[nf];
	return j + 1;
}

/* CONFIG_PRINTK_CALLER: "[  T123]", "[    C1]", "[T10069]"; vendor "[T329@C6]",
 * "[T123:C1]". i is at '['; returns the index after ']' or 0. */
static size_t
caller_id(struct kt_str s, size_t i, struct kt_line *out)
{
	size_t j = skip_spaces(s, i + 1), nd;
	uint64_t id, cpu;
	char kind;

	if (j >= s.len || (s.p[j] != 'T' && s.p[j] != 'C'))
		return 0;
	kind = s.p[j];
	nd = digits(s, j + 1, 9, &id);
	if (nd == 0)
		return 0;
	j += 1 + nd;
	if ((at(s, j, '@') || at(s, j, ':')) && at(s, j + 1, 'C')) {
		nd = digits(s, j + 2, 9, &cpu);
		if (nd == 0)
			return 0;
		j += 2 + nd;
	}
	if (!at(s, j, ']'))
		return 0;
	out->caller = kind == 'T' ? KT_CALLER_TASK : KT_CALLER_CPU;
	out->caller_id = (int)id;
	return j + 1;
}

/* Level words of the XenServer dom0.log ring, right-aligned in 6 columns
 * (xen-crashdump-analyser, https://github.com/xenserver/xen-crashdump-analyser). */
static const struct {
	const char *word;
	size_t len;
} ring_levels[8] = {
	{ "EMERG", 5 }, { "ALERT", 5 }, { "CRIT", 4 }, { "ERR", 3 },
	{ "WARN", 4 }, { "NOTICE", 6 }, { "INFO", 4 }, { "DEBUG", 5 },
};

const char *
kt_normalize_ring_word(int level)
{
	return level >= 0 && level < 8 ? ring_levels[level].word : NULL;
}

/* "[2637695.833005]  ALERT: BUG: unable to handle kernel paging request at ..."
 * j is after ']'; returns the text index or 0. The exact width keeps
 * "[  12.3] INFO: task x blocked" (one space) a dmesg line. */
static size_t
xen_ring_level(struct kt_str s, size_t j, struct kt_line *out)
{
	const char *f;
	size_t pad = 0;

	if (j + 8 > s.len || s.p[j] != ' ' || s.p[j + 7] != ':' ||
	    (j + 8 < s.len && s.p[j + 8] != ' '))
		return 0;
	f = s.p + j + 1;
	while (pad < 6 && f[pad] == ' ')
		pad++;
	if (pad == 6) {
		out->level = -1;	/* level byte out of range: printed blank */
		return j + 8 < s.len ? j + 9 : j + 8;
	}
	for (int l = 0; l < 8; l++)
		if (ring_levels[l].len == 6 - pad && memcmp(f + pad, ring_levels[l].word, 6 - pad) == 0) {
			out->level = l;
			return j + 8 < s.len ? j + 9 : j + 8;
		}
	return 0;
}

/* busybox syslogd with -S style "facility.level" between host and tag:
 * "DEC  4 17:33:13 SYZKALLER DAEMON.ERR DHCPCD[5651]: msg". */
static bool
facility_level(struct kt_str s, size_t b, size_t e)
{
	size_t dot = b;

	while (dot < e && kt_is_alpha(s.p[dot]))
		dot++;
	if (dot == b || dot + 1 >= e || s.p[dot] != '.')
		return false;
	for (size_t i = dot + 1; i < e; i++)
		if (!kt_is_alpha(s.p[i]))
			return false;
	return true;
}

/* Syslog "host tag: " at i ("MSI-CR61-3M kernel: ", "node1 systemd[1]: ");
 * with `need_host` false the host may be missing ("kernel: msg").
 * Returns the text index or 0. */
static size_t
host_tag(struct kt_str s, size_t i, bool need_host, struct kt_line *out)
{
	size_t lim = s.len - i < 300 ? s.len : i + 300, h = i, b, t;

	while (h < lim && s.p[h] != ' ')
		h++;
	if (h == i || h >= lim)
		return 0;
	if (s.p[h - 1] == ':' && !need_host) {
		out->tag = kt_str_make(s.p + i, h - 1 - i);	/* no host */
		return h + 1;
	}
	b = t = h + 1;
	while (t < lim && s.p[t] != ':' && s.p[t] != ' ')
		t++;
	if (at(s, t, ' ') && facility_level(s, b, t)) {
		b = t = t + 1;
		while (t < lim && s.p[t] != ':' && s.p[t] != ' ')
			t++;
	}
	if (t >= s.len || s.p[t] != ':' || t == b)
		return 0;
	out->host = kt_str_make(s.p + i, h - i);
	out->tag = kt_str_make(s.p + b, t - b);
	return at(s, t + 1, ' ') ? t + 2 : t + 1;
}

/* After a syslog/journal header the kernel may add its own stamp:
 * "Nov  8 19:38:07 MSI-CR61-3M kernel: [  424.479443] msg". */
static void
inner_kernel_ts(struct kt_line *out)
{
	struct kt_str s = out->text;
	size_t j;

	if (s.len < 4)
		return;
	if (s.p[0] == '[' && (j = kernel_ts(s, 0, &out->ts)) != 0) {
		size_t k = at(s, j, ' ') && at(s, j + 1, '[') ? j + 1 : j;

		if (at(s, k, '[') && (k = caller_id(s, k, out)) != 0)
			j = k;
		set_text(out, s, at(s, j, ' ') ? j + 1 : j);
	} else if (s.len >= 6 && memcmp(s.p, "(XEN) ", 6) == 0) {
		out->xen = true;
		set_text(out, s, 6);
	}
}

/* The second line of a syslogd wall message ("Message from syslogd@node1 at
 * May 20 19:29:01 ..."): " kernel:NMI watchdog: BUG: soft lockup - CPU#2 stuck for 23s!". */
static void
wall_message(struct kt_str s, struct kt_line *out)
{
	if (s.len >= 8 && memcmp(s.p, " kernel:", 8) == 0) {
		out->fmt = KT_FMT_SYSLOG;
		out->tag = kt_str_make(s.p + 1, 6);
		set_text(out, s, at(s, 8, ' ') ? 9 : 8);
	}
}

/* The other util-linux dmesg stamps (sys-utils/dmesg.c print_record()):
 * --reltime (-e) "[Dec 5 10:00] " at a new minute ("%b%e %H:%M") and
 * "[  +0.000123] " / "[+0.000123]" deltas after it, --ctime with --show-delta
 * "[Sat Dec  5 10:00:01 2026 <    0.000012>] ", -d alone "[<    0.000012>] ".
 * s is at '['; returns the index after the stamp and its blank, or 0. */
static size_t
dmesg_other_stamp(struct kt_str s, struct kt_line *out)
{
	size_t j = 1, end;

	if (shape(s, 0, "[aaa_d dd:dd]") || shape(s, 0, "[aaadd dd:dd]")) {
		out->wallclock = kt_str_make(s.p + 1, 11);
		end = 13;
	} else if (shape(s, 0, "[aaa aaa _d dd:dd:dd dddd <")) {
		out->wallclock = kt_str_make(s.p + 1, 24);
		j = 27;
		goto delta;
	} else {
		while (j < s.len && j < 4 && s.p[j] == ' ')
			j++;
		if (at(s, j, '<')) {
			j++;
			goto delta;
		}
		if (!at(s, j, '+') || !digit_at(s, j + 1))
			return 0;
		j++;
		while (j < s.len && (kt_is_digit(s.p[j]) || s.p[j] == '.'))
			j++;
		if (!at(s, j, ']'))
			return 0;
		end = j + 1;
	}
	return at(s, end, ' ') ? end + 1 : end;
delta:
	while (j < s.len && s.p[j] == ' ')
		j++;
	if (!digit_at(s, j))
		return 0;
	while (digit_at(s, j))
		j++;
	/* "%12.06f": a '.' always ("[<0000000012345678>]" is a frame) */
	if (!at(s, j, '.') || !digit_at(s, j + 1))
		return 0;
	j++;
	while (digit_at(s, j))
		j++;
	if (!at(s, j, '>') || !at(s, j + 1, ']'))
		return 0;
	end = j + 2;
	return at(s, end, ' ') ? end + 1 : end;
}

/* Lines starting with '['. */
static void
bracket(struct kt_str s, struct kt_line *out)
{
	size_t j = kernel_ts(s, 0, &out->ts), k;

	if (j == 0) {
		/* dmesg -T: "[Thu Apr  2 15:52:54 2020] msg" */
		if (shape(s, 0, "[aaa aaa _d dd:dd:dd dddd]")) {
			out->fmt = KT_FMT_DMESG;
			out->wallclock = kt_str_make(s.p + 1, 24);
			set_text(out, s, at(s, 26, ' ') ? 27 : 26);
		} else if ((k = caller_id(s, 0, out)) != 0) {
			/* caller id without time (printk.time=0): "[  T123] msg" */
			out->fmt = KT_FMT_DMESG;
			set_text(out, s, at(s, k, ' ') ? k + 1 : k);
		} else if ((k = dmesg_other_stamp(s, out)) != 0) {
			out->fmt = KT_FMT_DMESG;
			set_text(out, s, k);
		}
		return;
	}
	out->fmt = KT_FMT_DMESG;
	/* "[   12.345678][  T123] msg", also "[ 12.3] [    C1] msg" */
	k = at(s, j, ' ') && at(s, j + 1, '[') ? j + 1 : j;
	if (at(s, k, '[') && (k = caller_id(s, k, out)) != 0)
		j = k;
	if ((k = xen_ring_level(s, j, out)) != 0) {
		out->fmt = KT_FMT_XEN_RING;
		set_text(out, s, k);
		return;
	}
	if (at(s, j, ' ')) {
		/* journalctl -o short-monotonic: "[   12.345678] host kernel: msg" */
		struct kt_line probe = *out;

		k = host_tag(s, j + 1, true, &probe);
		if (k && kt_str_eq_cstr(probe.tag, "kernel")) {
			*out = probe;
			out->fmt = KT_FMT_JOURNAL;
			set_text(out, s, k);
			return;
		}
		j++;
	}
	set_text(out, s, j);
}

/* Xen console: "(XEN) [101632.198343] msg", "(XEN) [2023-05-11 10:11:12] msg",
 * raw TSC "(XEN) [000012a4f2c4e2b0] msg", or plain "(XEN) msg". */
static void
xen_console(struct kt_str s, struct kt_line *out)
{
	size_t j = 5, k;
	const char *rb;

	if (s.len < 5 || memcmp(s.p, "(XEN)", 5) != 0 || (s.len > 5 && s.p[5] != ' '))
		return;
	out->fmt = KT_FMT_XEN_CONSOLE;
	out->xen = true;
	if (s.len == 5) {
		set_text(out, s, 5);
		return;
	}
	j = 6;
	if (at(s, j, '[')) {
		if ((k = kernel_ts(s, j, &out->ts)) != 0) {
			j = k;
		} else if (shape(s, j + 1, "dddd-dd-dd dd:dd:dd") &&
			   (rb = memchr(s.p + j, ']', s.len - j < 32 ? s.len - j : 32)) != NULL) {
			out->wallclock = kt_str_make(s.p + j + 1, (size_t)(rb - s.p) - j - 1);
			j = (size_t)(rb - s.p) + 1;
		} else {
			k = j + 1;
			while (k < s.len && kt_is_xdigit(s.p[k]))
				k++;
			if (k - j - 1 == 16 && at(s, k, ']'))
				j = k + 1;
		}
		if (at(s, j, ' '))
			j++;
	}
	set_text(out, s, j);
}

/* /dev/kmsg and extended netconsole (Documentation/ABI/testing/dev-kmsg,
 * Documentation/networking/netconsole.rst):
 * "6,339,5140900,-;msg", "6,339,5140900,-,caller=T123;msg",
 * "6.13.0-04048-g4f561a87745a,13,468,514729715,-;msg". Returns success. */
static bool
kmsg(struct kt_str s, struct kt_line *out)
{
	size_t lim = s.len < 256 ? s.len : 256, i = 0, nd;
	const char *semi = memchr(s.p, ';', lim);
	uint64_t prio, seq, usec;

	if (!semi)
		return false;
	lim = (size_t)(semi - s.p);
	/* optional kernel release field */
	while (i < lim && s.p[i] != ',' && (kt_is_digit(s.p[i]) || s.p[i] == '.' || s.p[i] == '-' ||
					   kt_is_alpha(s.p[i]) || s.p[i] == '_' || s.p[i] == '+'))
		i++;
	if (!at(s, i, ','))
		return false;
	nd = digits(s, 0, 4, &prio);
	if (nd == i)
		i = 0;		/* the first field was the priority */
	else
		i++;
	if ((nd = digits(s, i, 4, &prio)) == 0 || !at(s, i + nd, ','))
		return false;
	i += nd + 1;
	if ((nd = digits(s, i, 20, &seq)) == 0 || !at(s, i + nd, ','))
		return false;
	i += nd + 1;
	if ((nd = digits(s, i, 20, &usec)) == 0 || !at(s, i + nd, ','))
		return false;
	i += nd + 1;
	if (i >= lim || s.p[i] == ',' || s.p[i] == ';')
		return false;	/* flag field */
	while (i < lim) {	/* flags, then ",caller=T123", ",ncfrag=0/31" */
		if (s.p[i] == ',' && lim - i > 8 && memcmp(s.p + i + 1, "caller=", 7) == 0) {
			char kind = s.p[i + 8];
			uint64_t id;

			if ((kind == 'T' || kind == 'C') && digits(s, i + 9, 9, &id) > 0) {
				out->caller = kind == 'T' ? KT_CALLER_TASK : KT_CALLER_CPU;
				out->caller_id = (int)id;
			}
		}
		i++;
	}
	out->fmt = KT_FMT_KMSG;
	out->level = (int)(prio & 7);
	out->ts = (double)usec / 1e6;
	set_text(out, s, lim + 1);
	return true;
}

/* ISO 8601 / RFC 3339 stamp at i: "2023-11-23T09:26:01+0000",
 * "2010-02-22T09:24:08.156534-08:00", dmesg --time-format iso
 * "2020-04-02T15:52:54,123456+00:00". Returns the index after it or 0;
 * *comma reports a ',' fraction, *colon_tz a "+hh:mm" zone. */
static size_t
iso_stamp(struct kt_str s, size_t i, bool *comma, bool *colon_tz)
{
	uint64_t v;

	if (!shape(s, i, "dddd-dd-ddTdd:dd:dd"))
		return 0;
	i += 19;
	*comma = at(s, i, ',');
	*colon_tz = false;
	if (at(s, i, '.') || at(s, i, ','))
		i += 1 + digits(s, i + 1, 12, &v);
	if (at(s, i, 'Z')) {
		i++;
		*colon_tz = true;
	} else if (at(s, i, '+') || at(s, i, '-')) {
		if (shape(s, i + 1, "dd:dd")) {
			i += 6;
			*colon_tz = true;
		} else if (shape(s, i + 1, "dddd")) {
			i += 5;
		} else {
			return 0;
		}
	}
	return i;
}

/* Lines starting with an ISO stamp: journalctl -o short-iso
 * "2023-11-23T09:26:01+0000 host kernel: msg", rsyslog RFC 3339
 * "2010-02-22T09:24:08.156534-08:00 host kernel: msg", dmesg --time-format
 * iso "2020-04-02T15:52:54,123456+00:00 msg". */
static void
iso_line(struct kt_str s, struct kt_line *out)
{
	bool comma, colon_tz;
	size_t j = iso_stamp(s, 0, &comma, &colon_tz), k;

	if (j == 0 || !(at(s, j, ' ') || j == s.len))
		return;
	out->wallclock = kt_str_make(s.p, j);
	if (comma) {
		out->fmt = KT_FMT_DMESG;
		set_text(out, s, j < s.len ? j + 1 : j);
		return;
	}
	out->fmt = colon_tz ? KT_FMT_SYSLOG : KT_FMT_JOURNAL;
	k = j < s.len ? host_tag(s, j + 1, true, out) : 0;
	set_text(out, s, k ? k : (j < s.len ? j + 1 : j));
	if (k)
		inner_kernel_ts(out);
}

/* RFC 3164 syslog / journalctl short / short-precise:
 * "Nov 23 09:26:01 host kernel: msg", "Nov  8 19:38:07 MSI-CR61-3M kernel: [  424.479443] msg",
 * "Nov 23 09:26:01.123456 host kernel: msg". Returns success. */
static bool
rfc3164(struct kt_str s, struct kt_line *out)
{
	size_t j = 15, k;
	uint64_t v;
	bool precise = false;

	if (!shape(s, 0, "aaa _d dd:dd:dd"))
		return false;
	if (at(s, j, '.')) {
		size_t nd = digits(s, j + 1, 9, &v);

		if (nd == 0)
			return false;
		j += 1 + nd;
		precise = true;
	}
	if (!at(s, j, ' '))
		return false;
	k = host_tag(s, j + 1, false, out);
	if (k == 0)
		return false;
	out->fmt = precise ? KT_FMT_JOURNAL : KT_FMT_SYSLOG;
	out->wallclock = kt_str_make(s.p, j);
	set_text(out, s, k);
	inner_kernel_ts(out);
	return true;
}

/* journalctl -o short-full: "Mon 2023-11-20 08:00:01 UTC host kernel: msg". */
static bool
journal_full(struct kt_str s, struct kt_line *out)
{
	size_t z = 24, k;

	if (!shape(s, 0, "aaa dddd-dd-dd dd:dd:dd "))
		return false;
	while (z < s.len && z < 40 && s.p[z] != ' ')
		z++;
	if (z == 24 || !at(s, z, ' ') || (k = host_tag(s, z + 1, true, out)) == 0)
		return false;
	out->fmt = KT_FMT_JOURNAL;
	out->wallclock = kt_str_make(s.p, z);
	set_text(out, s, k);
	return true;
}

/* Syslog level names of util-linux dmesg -x ("kern  :warn  : [   12.345678] msg"). */
static const char *const syslog_levels[8] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

/* dmesg -x: facility and level decoded, each padded: "kern  :warn  : "
 * (util-linux sys-utils/dmesg.c print_record(), with -T the ctime stamp
 * after it: "kern  :alert : [Sat Dec  5 10:00:01 2026] msg"). */
static bool
dmesg_x(struct kt_str s, struct kt_line *out)
{
	size_t i = 0, w, j;

	while (i < s.len && i < 9 && kt_is_ident(s.p[i]))
		i++;
	j = skip_spaces(s, i);
	if (i == 0 || !at(s, j, ':'))
		return false;
	w = ++j;
	while (j < s.len && kt_is_alpha(s.p[j]))
		j++;
	for (int l = 0; l < 8; l++) {
		size_t n = strlen(syslog_levels[l]), e;

		if (j - w != n || memcmp(s.p + w, syslog_levels[l], n) != 0)
			continue;
		e = skip_spaces(s, j);
		if (!at(s, e, ':'))
			return false;
		e = at(s, e + 1, ' ') ? e + 2 : e + 1;
		out->level = l;
		out->fmt = KT_FMT_DMESG;
		set_text(out, s, e);
		/* the stamp after it is any dmesg stamp: "[   12.345678]",
		 * -T "[Sat Dec  5 10:00:01 2026]", a caller id */
		if (at(out->text, 0, '['))
			bracket(out->text, out);
		else
			inner_kernel_ts(out);
		return true;
	}
	return false;
}

/* journalctl separators: "-- Boot 3f1a2b... --", "-- Reboot --",
 * "-- Logs begin at Mon 2023-11-20 08:00:01 UTC, end at ... --", "-- No entries --". */
static void
journal_boundary(struct kt_str s, struct kt_line *out)
{
	if (s.len >= 6 && memcmp(s.p, "-- ", 3) == 0 && memcmp(s.p + s.len - 3, " --", 3) == 0) {
		out->fmt = KT_FMT_JOURNAL;
		out->boundary = true;
	}
}

/* "<4>[   12.345678] msg" (dmesg -r, 2.6 rings), "<1>BUG: ...", 2.6 "<d>" and
 * "<c>" (KERN_DEFAULT/KERN_CONT before 3.6), RFC 5424 "<4>1 2020-... host kernel - - - msg".
 * Returns the index after the prefix or 0. */
static size_t
angle_level(struct kt_str s, struct kt_line *out)
{
	uint64_t pri;
	size_t nd;

	if (s.len >= 3 && (s.p[1] == 'd' || s.p[1] == 'c') && s.p[2] == '>')
		return 3;
	nd = digits(s, 1, 3, &pri);
	if (nd == 0 || !at(s, 1 + nd, '>') || pri > 191)
		return 0;
	out->level = (int)(pri & 7);
	return nd + 2;
}

/* RFC 5424 after "<PRI>": "1 TIMESTAMP HOST APP PROCID MSGID SD MSG". */
static bool
rfc5424(struct kt_str s, struct kt_line *out)
{
	bool comma, colon_tz;
	size_t j, f[4], end[4];

	if (!at(s, 0, '1') || !at(s, 1, ' '))
		return false;
	j = at(s, 2, '-') ? 3 : iso_stamp(s, 2, &comma, &colon_tz);
	if (j == 0 || !at(s, j, ' '))
		return false;
	for (int n = 0; n < 4; n++) {	/* HOST APP PROCID MSGID */
		f[n] = ++j;
		while (j < s.len && s.p[j] != ' ')
			j++;
		if (j >= s.len || j == f[n])
			return false;
		end[n] = j;
	}
	out->wallclock = kt_str_make(s.p + 2, f[0] - 3);
	out->host = kt_str_make(s.p + f[0], end[0] - f[0]);
	out->tag = kt_str_make(s.p + f[1], end[1] - f[1]);
	j++;
	if (at(s, j, '-')) {
		j++;
	} else {
		while (at(s, j, '[')) {	/* structured data elements */
			const char *e = memchr(s.p + j, ']', s.len - j);

			if (!e)
				return false;
			j = (size_t)(e - s.p) + 1;
		}
	}
	out->fmt = KT_FMT_SYSLOG;
	set_text(out, s, at(s, j, ' ') ? j + 1 : j);
	inner_kernel_ts(out);
	return true;
}

/* An external "YYYY/MM/DD HH:MM:SS " stamp: Go's log package (syzkaller
 * "2018/01/09 14:28:48 BUG: memory leak"), conserver "2024/07/23 18:01:21
 * [M83LP63]: [  157.267792] msg". Kept as wallclock; the rest is parsed on. */
static bool
slash_stamp(struct kt_str s, struct kt_line *out)
{
	if (!shape(s, 0, "dddd/dd/dd dd:dd:dd "))
		return false;
	out->wallclock = kt_str_make(s.p, 19);
	s = kt_str_skip(s, 20);
	out->text = s;
	if (at(s, 0, '['))
		bracket(s, out);
	return true;
}

/* A printk stamp exactly as the kernel prints it ("[%5lu.%06lu]": six
 * decimals) at s[i]: safe to take even glued to what precedes it. */
static bool
printk_stamp(struct kt_str s, size_t i)
{
	const char *dot = memchr(s.p + i, '.', s.len - i < 24 ? s.len - i : 24);
	size_t d = dot ? (size_t)(dot - s.p) + 1 : s.len, n = 0;

	while (d + n < s.len && kt_is_digit(s.p[d + n]))
		n++;
	return dot && n == 6 && at(s, d + n, ']');
}

/* Prefixes in front of a kernel stamp that no rule knows: serial login
 * prompts "syzkaller login: [   19.781382] audit: ...", conserver
 * "2024/07/23 18:01:21 [M83LP63]: [  157.267792] ...", or the tail of
 * binary garbage or of another console line with no newline before the
 * stamp ("...\xff\xfe[   12.345678][ T12] BUG: ..."). Look at the first few
 * '[' in the first 80 bytes: after a space, or glued if the stamp has the
 * kernel's own six decimals. */
static void
midline_ts(struct kt_line *out)
{
	struct kt_str s = out->text;
	size_t lim = s.len < 80 ? s.len : 80;
	const char *p = s.p;

	for (int tries = 0; tries < 3; tries++) {
		const char *b = memchr(p, '[', lim - (size_t)(p - s.p));
		size_t i, j;

		if (!b)
			return;
		i = (size_t)(b - s.p);
		if (i > 0 && (s.p[i - 1] == ' ' || printk_stamp(s, i)) &&
		    (j = kernel_ts(s, i, &out->ts)) != 0) {
			/* from the stamp on, a dmesg line like any other: caller
			 * id "[    C1]" included */
			bracket(kt_str_skip(s, i), out);
			return;
		}
		p = b + 1;
		if ((size_t)(p - s.p) >= lim)
			return;
	}
}

static void
parse(struct kt_str s, struct kt_line *out)
{
	size_t i = 0;

	/* E-mail quoting (LKML, bug trackers): "> [   12.345678] BUG: ...",
	 * ">> RIP: 0010:...". One space after each '>' belongs to the quote. */
	while (at(s, i, '>')) {
		i++;
		if (at(s, i, ' '))
			i++;
	}
	if (i > 0) {
		s = kt_str_skip(s, i);
		out->text = s;
	}
	if (s.len >= 3 && s.p[0] == '<' && (i = angle_level(s, out)) != 0) {
		s = kt_str_skip(s, i);
		out->text = s;
		if (digit_at(s, 0) && rfc5424(s, out))
			return;
	}
	if (s.len == 0)
		return;
	switch (s.p[0]) {
	case '[':
		bracket(s, out);
		break;
	case '(':
		xen_console(s, out);
		break;
	case '-':
		journal_boundary(s, out);
		break;
	case ' ':
		wall_message(s, out);
		break;
	default:
		if (kt_is_digit(s.p[0])) {
			if (!kmsg(s, out) && !slash_stamp(s, out))
				iso_line(s, out);
		} else if (alpha_at(s, 0)) {
			if (!rfc3164(s, out) && !journal_full(s, out))
				(void)dmesg_x(s, out);
		}
		break;
	}
	if (out->fmt == KT_FMT_PLAIN && !out->boundary)
		midline_ts(out);
}

static void
init_line(struct kt_line *out, struct kt_str raw, uint32_t no)
{
	struct kt_str empty = { "", 0 };

	out->raw = raw;
	out->no = no;
	out->fmt = KT_FMT_PLAIN;
	out->ts = -1;
	out->level = -1;
	out->caller = KT_CALLER_NONE;
	out->caller_id = -1;
	out->wallclock = out->host = out->tag = empty;
	out->xen = false;
	out->boundary = false;
	out->truncated = false;
}

void
kt_normalize_jexport(struct kt_normalizer *n, struct kt_jexport *jx, uint32_t no,
		     struct kt_line *out)
{
	int soh_level = -1;

	init_line(out, kt_str_make("", 0), no);
	kt_jexport_line(jx, out);
	out->raw = out->text;
	if (needs_cleaning(out->text))
		out->text = clean(n, out->text, &soh_level);
}

void
kt_normalize(struct kt_normalizer *n, struct kt_str raw, uint32_t no, struct kt_line *out)
{
	struct kt_str s, empty = { "", 0 };
	int soh_level = -1;

	bool truncated;

	if (!raw.p)
		raw = empty;
	truncated = raw.len > KT_MAX_LINE;
	if (truncated)
		raw.len = KT_MAX_LINE;
	init_line(out, raw, no);
	out->truncated = truncated;

	s = raw;
	while (s.len > 0 && (s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n'))
		s.len--;
	if (needs_cleaning(s))
		s = clean(n, s, &soh_level);
	out->text = s;
	/* journalctl -o json (and -o export, turned into it by the input stage) */
	if (s.len > 1 && s.p[0] == '{' && s.p[1] == '"' && kt_journal_json(s, n->journal, out)) {
		if (out->text.len > KT_MAX_LINE)
			out->text.len = KT_MAX_LINE;
		if (needs_cleaning(out->text))
			out->text = clean(n, out->text, &soh_level);
		return;
	}
	parse(s, out);
	if (out->level < 0)
		out->level = soh_level;
}
