/*
 * parse/hostsplit: one parser per syslog host (see hostsplit.h).
 */
#include "parse/hostsplit.h"

#include <stdlib.h>
#include <string.h>

#include "parse/parser.h"
#include "util/mem.h"
#include "util/str.h"

struct host {
	char *name;		/* NULL: lines that never named a host */
	size_t len;
	struct kt_parser *p;
};

struct kt_hostsplit {
	struct kt_ctx *ctx;
	char *file;
	struct host hosts[KT_HOSTSPLIT_MAX + 1];	/* [0]: no host */
	size_t n;		/* hosts[1..n] are named */
	size_t cur;		/* where the previous line went */
	size_t next_take;	/* round robin over parsers in take() */
	size_t max_reports;	/* 0: none */
	size_t taken, dropped;
	bool overflow;		/* more than KT_HOSTSPLIT_MAX hosts */
};

struct kt_hostsplit *
kt_hostsplit_new(struct kt_ctx *ctx, const char *file)
{
	struct kt_hostsplit *h = kt_calloc(1, sizeof(*h));

	h->ctx = ctx;
	h->file = kt_strdup(file ? file : "");
	h->hosts[0].p = kt_parser_new(ctx, h->file);
	if (!h->hosts[0].p) {
		kt_hostsplit_free(h);
		return NULL;
	}
	return h;
}

void
kt_hostsplit_free(struct kt_hostsplit *h)
{
	if (!h)
		return;
	for (size_t i = 0; i <= h->n; i++) {
		kt_parser_free(h->hosts[i].p);
		free(h->hosts[i].name);
	}
	free(h->file);
	free(h);
}

/* The slot of host `name`, made on first sight. */
static size_t
slot(struct kt_hostsplit *h, struct kt_str name)
{
	struct host *s;

	if (h->cur && h->hosts[h->cur].len == name.len &&
	    memcmp(h->hosts[h->cur].name, name.p, name.len) == 0)
		return h->cur;
	for (size_t i = 1; i <= h->n; i++)
		if (h->hosts[i].len == name.len && memcmp(h->hosts[i].name, name.p, name.len) == 0)
			return i;
	if (h->n == KT_HOSTSPLIT_MAX) {
		h->overflow = true;
		return h->n;
	}
	s = &h->hosts[h->n + 1];
	s->p = kt_parser_new(h->ctx, h->file);
	if (!s->p)
		return h->cur;
	kt_parser_set_max_reports(s->p, h->max_reports);
	s->name = kt_strndup(name.p, name.len);
	s->len = name.len;
	return ++h->n;
}

void
kt_hostsplit_feed(struct kt_hostsplit *h, const struct kt_line *l)
{
	if (l->host.len) {
		size_t to = slot(h, l->host);

		/* The lines without a host end where the first host's begin
		 * (a dmesg and a syslog file concatenated): from here on a
		 * hostless line continues the current host, so a report still
		 * open in the hostless parser would wait for the end of the
		 * input, and keep the input from ever being settled. */
		if (h->cur == 0 && to != 0)
			kt_parser_end(h->hosts[0].p);
		h->cur = to;
	}
	kt_parser_feed(h->hosts[h->cur].p, l);
}

void
kt_hostsplit_end(struct kt_hostsplit *h)
{
	for (size_t i = 0; i <= h->n; i++)
		kt_parser_end(h->hosts[i].p);
}

struct kt_report *
kt_hostsplit_take(struct kt_hostsplit *h)
{
	for (size_t k = 0; k <= h->n; k++) {
		size_t i = (h->next_take + k) % (h->n + 1);
		struct kt_report *r = kt_parser_take(h->hosts[i].p);

		if (!r)
			continue;
		h->next_take = i;
		if (h->max_reports && h->taken >= h->max_reports) {
			h->dropped++;
			kt_report_free(r);
			k = (size_t)-1;	/* look again from this parser */
			continue;
		}
		h->taken++;
		if (h->overflow && i == h->n)
			kt_report_note(r, 0, KT_SEV_WARN,
				       "more than %d hosts in this log: the lines of the last ones "
				       "were cut together", KT_HOSTSPLIT_MAX);
		return r;
	}
	return NULL;
}

void
kt_hostsplit_set_max_reports(struct kt_hostsplit *h, size_t n)
{
	h->max_reports = n;
	for (size_t i = 0; i <= h->n; i++)	/* and each parser's own cap */
		kt_parser_set_max_reports(h->hosts[i].p, n);
}

size_t
kt_hostsplit_dropped(const struct kt_hostsplit *h)
{
	size_t n = h->dropped;

	for (size_t i = 0; i <= h->n; i++)
		n += kt_parser_dropped(h->hosts[i].p);
	return n;
}

bool
kt_hostsplit_idle(const struct kt_hostsplit *h)
{
	for (size_t i = 0; i <= h->n; i++)
		if (!kt_parser_idle(h->hosts[i].p))
			return false;
	return true;
}

bool
kt_hostsplit_settled(const struct kt_hostsplit *h)
{
	return kt_parser_seen_provenance(h->hosts[h->cur].p) && kt_hostsplit_idle(h);
}

struct kt_str
kt_hostsplit_cur_host(const struct kt_hostsplit *h)
{
	return kt_str_make(h->cur ? h->hosts[h->cur].name : "", h->cur ? h->hosts[h->cur].len : 0);
}

const struct kt_detect *
kt_hostsplit_detector(const struct kt_hostsplit *h)
{
	return kt_parser_detector(h->hosts[0].p);
}

uint32_t
kt_hostsplit_first_pending(const struct kt_hostsplit *h)
{
	uint32_t lo = UINT32_MAX;

	for (size_t i = 0; i <= h->n; i++) {
		uint32_t f = kt_parser_first_pending(h->hosts[i].p);

		if (f < lo)
			lo = f;
	}
	return lo;
}

bool
kt_hostsplit_state(const struct kt_hostsplit *h, uint32_t origin, size_t max, struct kt_buf *out)
{
	uint64_t head[5] = { h->n, h->cur, h->next_take, h->max_reports, h->overflow };

	kt_buf_add(out, (const char *)head, sizeof(head));
	for (size_t i = h->cur ? 1 : 0; i <= h->n; i++) {
		uint64_t len = h->hosts[i].len;

		kt_buf_add(out, (const char *)&len, sizeof(len));
		if (len)
			kt_buf_add(out, h->hosts[i].name, h->hosts[i].len);
		if (!kt_parser_state(h->hosts[i].p, origin, out) || out->len > max)
			return false;
	}
	return true;
}

size_t
kt_hostsplit_hosts(const struct kt_hostsplit *h)
{
	return h->n;
}
