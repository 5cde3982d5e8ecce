/*
 * parse/cut: line classes for report cutting (data/parse/cut.txt) and the
 * printk context of a line. Pure classification; no state.
 */
#include <stdlib.h>
#include <string.h>

#include "parse/cut.h"
#include "parse/detect.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"

static const char *const class_names[KT_CUT_COUNT] = {
	[KT_CUT_TAILSTART] = "tailstart",
	[KT_CUT_TAIL] = "tail",
	[KT_CUT_END] = "end",
	[KT_CUT_REPLAY] = "replay",
	[KT_CUT_DROPPED] = "dropped",
	[KT_CUT_NMI] = "nmi",
	[KT_CUT_SKIP] = "skip",
	[KT_CUT_INFOSTACK] = "infostack",
	[KT_CUT_BODY] = "body",
	[KT_CUT_REPEAT] = "repeat",
	[KT_CUT_BOOT] = "boot",
	[KT_CUT_BOTTOM] = "bottom",
};

struct cut_rule {
	enum kt_cut_class cls;
	struct kt_rx *rx;
	bool anchored;
};

struct kt_cut {
	struct cut_rule *v;
	size_t n;
	/* rule indices of each class, in file order: a classification looks
	 * only at the rules of the classes asked for */
	uint16_t *by_class[KT_CUT_COUNT];
	size_t n_class[KT_CUT_COUNT];
	/* The bytes an anchored rule ("^...") may match first: most lines
	 * start with none of them, and then no anchored rule runs. */
	uint8_t first[32];
	bool first_all;		/* some anchored rule may start anyhow */
};

static int
load_rule(struct kt_ctx *ctx, struct kt_cut *c, struct kt_str line, size_t no)
{
	struct kt_str f[2];
	size_t n = kt_table_fields(line, f, 2);
	if (!n)
		return 0;
	int cls = -1;
	for (int i = 0; i < KT_CUT_COUNT; i++)
		if (kt_str_eq_cstr(f[0], class_names[i]))
			cls = i;
	if (n != 2 || cls < 0)
		return kt_error(ctx, KT_EFORMAT, "parse/cut.txt:%zu: bad line", no);
	char *pat = kt_strndup(f[1].p, f[1].len);
	struct kt_rx *rx;
	int rc = kt_rx_new(ctx, pat, 0, &rx);
	free(pat);
	if (rc)
		return rc;
	c->v = kt_realloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n].cls = (enum kt_cut_class)cls;
	c->v[c->n].anchored = kt_rx_anchored(rx);
	c->v[c->n++].rx = rx;
	return 0;
}

/* c->first: the union of the first bytes of the anchored rules. */
static void
combine(struct kt_cut *c)
{
	memset(c->first, 0, sizeof(c->first));
	for (size_t i = 0; i < c->n; i++) {
		uint8_t f[32];
		if (!c->v[i].anchored)
			continue;
		kt_rx_first_bytes(c->v[i].rx, f);
		c->first_all |= f[0] == 0xff && !memcmp(f, f + 1, sizeof(f) - 1);
		for (size_t k = 0; k < sizeof(f); k++)
			c->first[k] |= f[k];
	}
}

int
kt_cut_new(struct kt_ctx *ctx, struct kt_cut **ret)
{
	struct kt_data_blob blob;
	int rc = kt_data_read(ctx, "parse/cut.txt", &blob);
	if (rc)
		return rc;
	struct kt_cut *c = kt_calloc(1, sizeof(*c));
	size_t pos = 0, no = 0;
	struct kt_str line;
	while (rc == 0 && kt_table_next_line(blob.data, blob.len, &pos, &line))
		rc = load_rule(ctx, c, line, ++no);
	kt_data_blob_deinit(&blob);
	if (rc) {
		kt_cut_free(c);
		return rc;
	}
	combine(c);
	for (size_t i = 0; i < c->n; i++) {
		enum kt_cut_class k = c->v[i].cls;
		c->by_class[k] = kt_realloc(c->by_class[k], (c->n_class[k] + 1) * sizeof(uint16_t));
		c->by_class[k][c->n_class[k]++] = (uint16_t)i;
	}
	*ret = c;
	return 0;
}

void
kt_cut_free(struct kt_cut *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		kt_rx_free(c->v[i].rx);
	}
	for (int k = 0; k < KT_CUT_COUNT; k++)
		free(c->by_class[k]);
	free(c->v);
	free(c);
}

unsigned
kt_cut_classify(const struct kt_cut *c, struct kt_str text, uint64_t *ret_dropped)
{
	return kt_cut_classify_some(c, text, ~0u, ret_dropped);
}

unsigned
kt_cut_classify_some(const struct kt_cut *c, struct kt_str text, unsigned want,
		     uint64_t *ret_dropped)
{
	unsigned bits = 0;
	long ov[4];
	unsigned char c0 = text.len ? (unsigned char)text.p[0] : 0;
	bool anchored_ok = c->first_all || (text.len && (c->first[c0 >> 3] & (1u << (c0 & 7))));
	for (int k = 0; k < KT_CUT_COUNT; k++) {
		if (!(want & KT_CUT_BIT(k)))
			continue;
		for (size_t j = 0; j < c->n_class[k]; j++) {
			const struct cut_rule *rule = &c->v[c->by_class[k][j]];
			if (!anchored_ok && rule->anchored)
				continue;
			if (!kt_rx_match(rule->rx, text, 0, ov, 2))
				continue;
			bits |= KT_CUT_BIT(k);
			if (k == KT_CUT_DROPPED && ret_dropped) {
				uint64_t v = 0;
				if (ov[2] >= 0)
					(void)kt_parse_dec(kt_str_skip(text, (size_t)ov[2]), &v);
				*ret_dropped = v;
			}
			break;
		}
	}
	return bits;
}

int
kt_cut_rule(const struct kt_cut *c, struct kt_str text, enum kt_cut_class cls)
{
	for (size_t j = 0; j < c->n_class[cls]; j++)
		if (kt_rx_match(c->v[c->by_class[cls][j]].rx, text, 0, NULL, 0))
			return (int)c->by_class[cls][j];
	return -1;
}

struct kt_lctx
kt_cut_context(const struct kt_line *l)
{
	struct kt_lctx x = { KT_LCTX_NONE, -1 };
	if (l->xen)
		x.kind = KT_LCTX_XEN;
	else if (l->caller == KT_CALLER_TASK)
		x = (struct kt_lctx){ KT_LCTX_TASK, l->caller_id };
	else if (l->caller == KT_CALLER_CPU)
		x = (struct kt_lctx){ KT_LCTX_CPU, l->caller_id };
	else if (l->ts >= 0)
		x.kind = KT_LCTX_CONSOLE;
	return x;
}

bool
kt_cut_same_context(struct kt_lctx a, struct kt_lctx b)
{
	return a.kind == b.kind && a.id == b.id;
}
