/*
 * parse/archhint: architecture votes of stack frames (see archhint.h and
 * data/parse/arch.txt for the table and its sources).
 */
#include "parse/archhint.h"

#include <stdlib.h>
#include <string.h>

#include "parse/detect.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/str.h"

struct name_hint {
	char *name;
	size_t len;
	bool prefix;		/* "name*" */
	enum kt_arch arch;
};

struct addr_hint {
	uint64_t lo, hi;
	enum kt_arch arch;
	unsigned digits;	/* the address must be printed with this many hex digits; 0: any */
};

struct kt_archhint {
	struct name_hint *names;
	size_t n_names;
	struct addr_hint *addrs;
	size_t n_addrs;
};

static int
parse_arch(struct kt_ctx *ctx, struct kt_str f, size_t no, enum kt_arch *ret)
{
	char buf[16];

	if (f.len >= sizeof(buf))
		return kt_error(ctx, KT_EFORMAT, "parse/arch.txt:%zu: unknown arch", no);
	memcpy(buf, f.p, f.len);
	buf[f.len] = '\0';
	*ret = kt_arch_from_name(buf);
	if (*ret == KT_ARCH_UNKNOWN)
		return kt_error(ctx, KT_EFORMAT, "parse/arch.txt:%zu: unknown arch '%s'", no, buf);
	return 0;
}

static bool
hex_field(struct kt_str f, uint64_t *ret)
{
	return f.len && f.len <= 16 && kt_parse_hex(f, ret) == f.len;
}

static int
load_line(struct kt_ctx *ctx, struct kt_archhint *h, struct kt_str line, size_t no)
{
	struct kt_str f[5];
	size_t n = kt_table_fields(line, f, 5);
	enum kt_arch arch;
	int rc;

	if (n == 0)
		return 0;
	if (n < 3)
		return kt_error(ctx, KT_EFORMAT, "parse/arch.txt:%zu: too few fields", no);
	if ((rc = parse_arch(ctx, f[1], no, &arch)) != 0)
		return rc;
	if (kt_str_eq_cstr(f[0], "frame") && n == 3 && f[2].len) {
		struct name_hint *nh;
		bool prefix = f[2].p[f[2].len - 1] == '*';

		h->names = kt_realloc(h->names, (h->n_names + 1) * sizeof(*h->names));
		nh = &h->names[h->n_names++];
		nh->len = f[2].len - (prefix ? 1 : 0);
		nh->name = kt_strndup(f[2].p, nh->len);
		nh->prefix = prefix;
		nh->arch = arch;
		return 0;
	}
	if (kt_str_eq_cstr(f[0], "addr") && (n == 4 || n == 5)) {
		struct addr_hint ah = { 0, 0, arch, 0 };
		struct kt_str hi = f[3];
		uint64_t d = 0;

		if (n == 5) {
			if (kt_parse_dec(f[4], &d) != f[4].len || d == 0 || d > 16)
				return kt_error(ctx, KT_EFORMAT, "parse/arch.txt:%zu: bad digits", no);
			ah.digits = (unsigned)d;
		}
		if (!hex_field(f[2], &ah.lo) || !hex_field(hi, &ah.hi) || ah.lo > ah.hi)
			return kt_error(ctx, KT_EFORMAT, "parse/arch.txt:%zu: bad range", no);
		h->addrs = kt_realloc(h->addrs, (h->n_addrs + 1) * sizeof(*h->addrs));
		h->addrs[h->n_addrs++] = ah;
		return 0;
	}
	return kt_error(ctx, KT_EFORMAT, "parse/arch.txt:%zu: bad directive", no);
}

int
kt_archhint_new(struct kt_ctx *ctx, struct kt_archhint **ret)
{
	struct kt_data_blob blob;
	struct kt_archhint *h;
	size_t pos = 0, no = 0;
	struct kt_str line;
	int rc = kt_data_read(ctx, "parse/arch.txt", &blob);

	if (rc)
		return rc;
	h = kt_calloc(1, sizeof(*h));
	while (rc == 0 && kt_table_next_line(blob.data, blob.len, &pos, &line))
		rc = load_line(ctx, h, line, ++no);
	kt_data_blob_deinit(&blob);
	if (rc) {
		kt_archhint_free(h);
		return rc;
	}
	*ret = h;
	return 0;
}

void
kt_archhint_free(struct kt_archhint *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_names; i++)
		free(h->names[i].name);
	free(h->names);
	free(h->addrs);
	free(h);
}

static enum kt_arch
name_vote(const struct kt_archhint *h, const char *fn)
{
	size_t len;

	if (*fn == '.')
		fn++;	/* ppc64 ELFv1 ".func" */
	len = strlen(fn);
	for (size_t i = 0; i < h->n_names; i++) {
		const struct name_hint *nh = &h->names[i];

		if (nh->prefix ? len >= nh->len && memcmp(fn, nh->name, nh->len) == 0
			       : len == nh->len && memcmp(fn, nh->name, len) == 0)
			return nh->arch;
	}
	return KT_ARCH_UNKNOWN;
}

/* The width of the frame addresses as printed: the hex digits of the first
 * "[<...>]" in the report's lines (0: none printed). A 64-bit kernel prints
 * 16 digits even for small (hashed, >= 4.15) values. */
static unsigned
printed_digits(const struct kt_report *r)
{
	for (size_t i = 0; i < r->n_lines; i++) {
		const char *p = r->lines[i] ? strstr(r->lines[i], "[<") : NULL;
		unsigned n = 0;

		if (!p)
			continue;
		for (p += 2; kt_is_xdigit(*p); p++)
			n++;
		if (*p == '>' && n)
			return n;
	}
	return 0;
}

static enum kt_arch
addr_vote(const struct kt_archhint *h, uint64_t a, unsigned digits)
{
	for (size_t i = 0; i < h->n_addrs; i++)
		if (a >= h->addrs[i].lo && a <= h->addrs[i].hi &&
		    (!h->addrs[i].digits || h->addrs[i].digits == digits))
			return h->addrs[i].arch;
	return KT_ARCH_UNKNOWN;
}

static enum kt_arch
winner(const size_t votes[KT_ARCH_COUNT])
{
	enum kt_arch best = KT_ARCH_UNKNOWN;
	bool tie = false;

	for (int a = 1; a < KT_ARCH_COUNT; a++) {
		if (votes[a] == 0)
			continue;
		if (best == KT_ARCH_UNKNOWN || votes[a] > votes[best]) {
			best = (enum kt_arch)a;
			tie = false;
		} else if (votes[a] == votes[best]) {
			tie = true;
		}
	}
	return tie ? KT_ARCH_UNKNOWN : best;
}

enum kt_arch
kt_archhint_guess(const struct kt_archhint *h, const struct kt_report *r)
{
	size_t names[KT_ARCH_COUNT] = { 0 }, addrs[KT_ARCH_COUNT] = { 0 };
	bool any_name = false;
	unsigned digits = 0;

	if (!h || !r)
		return KT_ARCH_UNKNOWN;
	for (size_t i = 0; i < r->n_frames && !digits; i++)
		if (r->frames[i].address)
			digits = printed_digits(r);
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kt_frame *f = &r->frames[i];
		enum kt_arch a;

		if (f->function && (a = name_vote(h, f->function)) != KT_ARCH_UNKNOWN) {
			names[a]++;
			any_name = true;
		}
		if (f->address && (a = addr_vote(h, f->address, digits)) != KT_ARCH_UNKNOWN)
			addrs[a]++;
	}
	return winner(any_name ? names : addrs);
}
