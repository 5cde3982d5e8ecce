/*
 * pipeline: runs input -> normalize -> parse -> sign -> decode -> diagnose
 * over what the user named, and hands finished reports to the caller in log
 * order. A XenServer crash folder is one unit: xen.log is read first (Xen
 * version, per-PCPU guest state), then dom0.log's oopses get that context.
 * This is the only code that sees every stage; it holds no knowledge.
 */
#include <ktriage/ktriage.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ktriage/diagnose.h>
#include <ktriage/limits.h>
#include <ktriage/net.h>

#include "decode/decode.h"
#include "diagnose/diagnose.h"
#include "input/input.h"
#include "input/walk.h"
#include "normalize/journal.h"
#include "normalize/normalize.h"
#include "normalize/pstore.h"
#include "parse/detect.h"
#include "parse/hostsplit.h"
#include "parse/parser.h"
#include "parse/xenlog.h"
#include "sign/sign.h"
#include "skip.h"
#include "util/ctx.h"
#include "util/mem.h"
#include "util/pcre.h"
#include "util/str.h"

struct kt_analyzer {
	struct kt_ctx *ctx;
	struct kt_analyze_opts opts;
	struct kt_ruleset *rules;
	bool rules_pending;	/* built-in rules not loaded yet (see rules_of) */
	struct kt_host_facts *facts;
	struct kt_decode_opts dopts;
	kt_analyze_problem_fn problem;
	void *problem_ud;
	struct kt_skip_sets *sets;	/* the prefilter's keywords (made on first need) */
	bool kw_failed;
};

void
kt_analyzer_set_problem_fn(struct kt_analyzer *a, kt_analyze_problem_fn fn, void *ud)
{
	a->problem = fn;
	a->problem_ud = ud;
}

/* The analyzer's rules, loading the embedded ones on first use (they cannot
 * fail but for memory: then reports go undiagnosed). NULL: no diagnosis.
 * The embedded ones are the context's (kt_ruleset_builtin_shared(): one
 * copy for all the contexts of kt_ctx_share_tables()). */
static const struct kt_ruleset *
rules_of(struct kt_analyzer *a)
{
	if (a->rules_pending && a->ctx)
		return kt_ruleset_builtin_shared(a->ctx);
	if (a->rules_pending) {
		a->rules_pending = false;
		if (kt_ruleset_load_builtin(a->ctx, &a->rules) != 0)
			a->rules = NULL;
	}
	return a->rules;
}

const char *
kt_version(void)
{
	return KT_VERSION_STRING;
}

int
kt_analyzer_new(struct kt_ctx *ctx, const struct kt_analyze_opts *opts, struct kt_analyzer **ret)
{
	struct kt_analyzer *a = kt_calloc(1, sizeof(*a));
	int rc = 0;

	a->ctx = ctx;
	if (ctx && !ctx->rx_bake)	/* table regexes compiled at build time */
		ctx->rx_bake = &kt_pcre_baked_regexes;
	if (opts)
		a->opts = *opts;
	a->dopts.vmlinux = a->opts.vmlinux;
	a->dopts.modules_dir = a->opts.modules_dir;
	a->dopts.system_map = a->opts.system_map;
	/* Only the embedded rules: loaded with the first report to diagnose
	 * (rules_of), as a log without a crash never needs them; from --rules
	 * or --data they load now, so a bad rule file stops the run before any
	 * work (docs/analyze-speed.md, "Start-up"). */
	if (!a->opts.no_diagnose && !(a->opts.rule_dirs && a->opts.rule_dirs[0]) &&
	    !(ctx && ctx->data_dir)) {
		a->rules_pending = true;
	} else if (!a->opts.no_diagnose) {
		rc = kt_ruleset_load_builtin(ctx, &a->rules);
		for (size_t i = 0; rc == 0 && a->opts.rule_dirs && a->opts.rule_dirs[i]; i++)
			rc = kt_ruleset_add_dir(ctx, a->rules, a->opts.rule_dirs[i]);
	}
	if (rc == 0 && a->opts.host_facts)
		rc = kt_host_facts_load_json(ctx, a->opts.host_facts, &a->facts);
	if (rc) {
		kt_analyzer_free(a);
		return rc;
	}
	*ret = a;
	return 0;
}

/* Up to `n` bytes of the head of `path` into buf. Returns bytes read or -1. */
static long
read_head(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t k;

	if (!f)
		return -1;
	k = fread(buf, 1, n, f);
	(void)fclose(f);
	return (long)k;
}

static int
check_file(struct kt_ctx *ctx, const char *opt, const char *path, bool dir)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return kt_error(ctx, errno == ENOENT ? KT_ENOTFOUND : KT_EIO, "%s '%s': %s", opt,
				path, strerror(errno));
	if (dir && !S_ISDIR(st.st_mode))
		return kt_error(ctx, KT_EFORMAT, "%s '%s': not a directory", opt, path);
	if (!dir && S_ISDIR(st.st_mode))
		return kt_error(ctx, KT_EFORMAT, "%s '%s': is a directory", opt, path);
	return 0;
}

/* A System.map line: hex address, one-letter type, name
 * (linux scripts/mksysmap: the output of nm). */
static bool
sysmap_line(const char *s)
{
	const char *p = s;

	while (isxdigit((unsigned char)*p))
		p++;
	return p - s >= 8 && p[0] == ' ' && isalpha((unsigned char)p[1]) && p[2] == ' ' &&
	       p[3] > ' ';
}

int
kt_analyze_opts_check(struct kt_ctx *ctx, const struct kt_analyze_opts *o)
{
	char head[4096];
	long n;
	int r;

	if (!o)
		return 0;
	if (o->vmlinux) {
		if ((r = check_file(ctx, "--vmlinux", o->vmlinux, false)) < 0)
			return r;
		n = read_head(o->vmlinux, head, 4);
		if (n < 4 || memcmp(head, "\x7f" "ELF", 4) != 0)	/* ELF magic, elf(5) */
			return kt_error(ctx, KT_EFORMAT, "--vmlinux '%s': not an ELF file "
					"(give the uncompressed vmlinux with debug info)", o->vmlinux);
	}
	if (o->system_map) {
		if ((r = check_file(ctx, "--system-map", o->system_map, false)) < 0)
			return r;
		n = read_head(o->system_map, head, sizeof(head) - 1);
		head[n > 0 ? n : 0] = '\0';
		if (n <= 0 || !sysmap_line(head))
			return kt_error(ctx, KT_EFORMAT, "--system-map '%s': not a System.map "
					"(lines of ADDRESS TYPE SYMBOL)", o->system_map);
	}
	if (o->modules_dir && (r = check_file(ctx, "--modules", o->modules_dir, true)) < 0)
		return r;
	return 0;
}

void
kt_analyzer_free(struct kt_analyzer *a)
{
	if (!a)
		return;
	kt_ruleset_free(a->rules);
	kt_host_facts_free(a->facts);
	kt_skip_sets_free(a->sets);
	free(a);
}

/* Reports of one unit, kept until the unit is done so that the primary
 * report can be put first and Xen's echoes folded into dom0's report; a
 * unit with more than KT_HELD_REPORTS streams them out in log order
 * (stream_out) so that memory stays flat however many crashes it has. */
struct unit_state {
	struct kt_analyzer *a;
	const struct kt_analyze_cb *cb;
	const char *display;
	const struct kt_host_facts *facts;	/* --host-facts, or the status report's own */
	struct kt_vec reports;		/* struct kt_report *: not handed out yet */
	size_t member_first;		/* reports[member_first..]: the member being read */
	size_t kept;			/* reports of the unit kept (handed out or not) */
	bool streaming;			/* over KT_HELD_REPORTS: handed out as they come */
	bool dom0_out;			/* streaming: a dom0 report was handed out */
	struct kt_xenlog *xen;
	bool xca_seen;
	bool xca_complete;
	size_t max_reports;
	size_t dropped;			/* reports over max_reports in this unit */
	size_t kernel_reports;		/* reports from kernel logs (not xen.log) */
	bool reading_xen;
	bool rebuilt;			/* reports come from xen.log's guest state */
	int rebuilt_pcpu, rebuilt_vcpu;
	/* Problems: those met while a unit is open belong to it (and to the
	 * member being read, in a crash folder); the others belong to a
	 * container (archive, directory) and are held until the next unit so
	 * that one container's problems come together. */
	bool in_unit;
	bool name_members;
	const char *member;
	const char *piece;		/* the path being walked */
	char *held_input;
	struct kt_vec held;		/* struct held_problem */
};

struct held_problem {
	enum kt_problem_kind kind;
	char *member;
	int64_t offset;
	char *message;
};

static void
deliver_problem(struct unit_state *u, const char *unit, const struct kt_problem *p)
{
	if (u->a->problem) {
		u->a->problem(u->a->problem_ud, unit, p);
		return;
	}
	if (p->member)
		kt_diag(u->a->ctx, KT_SEV_WARN, unit, "%s: %s: %s", kt_problem_kind_name(p->kind),
			p->member, p->message);
	else
		kt_diag(u->a->ctx, KT_SEV_WARN, unit, "%s: %s", kt_problem_kind_name(p->kind),
			p->message);
}

/* A container's held problems, as a unit of their own. */
static void
flush_held(struct unit_state *u)
{
	if (!u->held_input)
		return;
	if (u->cb->unit_begin)
		u->cb->unit_begin(u->cb->ud, u->held_input);
	for (size_t i = 0; i < u->held.n; i++) {
		struct held_problem *h = KT_VEC_AT(&u->held, struct held_problem, i);
		struct kt_problem p = { h->kind, h->member, h->offset, h->message, 1 };

		deliver_problem(u, u->held_input, &p);
		free(h->member);
		free(h->message);
	}
	if (u->cb->unit_end)
		u->cb->unit_end(u->cb->ud, u->held_input, 0);
	free(u->held_input);
	u->held_input = NULL;
	u->held.n = 0;
}

static void
on_problem(void *ud, const char *input, const struct kt_problem *p)
{
	struct unit_state *u = ud;
	struct held_problem *h;

	if (u->in_unit) {
		struct kt_problem q = *p;

		if (!q.member && u->name_members)
			q.member = u->member;
		deliver_problem(u, u->display, &q);
		return;
	}
	if (!input)
		input = u->piece ? u->piece : "-";
	if (u->held_input && strcmp(u->held_input, input) != 0)
		flush_held(u);
	if (!u->held_input)
		u->held_input = kt_strdup(input);
	h = kt_vec_push(&u->held);
	h->kind = p->kind;
	h->member = p->member ? kt_strdup(p->member) : NULL;
	h->offset = p->offset;
	h->message = kt_strdup(p->message);
}

static void
finish_report(struct unit_state *u, struct kt_report *r)
{
	struct kt_analyzer *a = u->a;

	if (u->kept >= u->max_reports) {
		u->dropped++;
		kt_report_free(r);
		return;
	}
	u->kept++;
	if (!u->reading_xen)
		u->kernel_reports++;
	if (u->rebuilt) {
		r->source.format = "xen-guest-state";
		kt_report_note(r, 0, KT_SEV_WARN,
			       "rebuilt from xen.log's guest state (PCPU %d, DOM0 VCPU %d): the "
			       "crash folder has no dom0 oops (dom0.log missing or cut), the guest's "
			       "stack shows panic(); frames are a stack scan, the fault address "
			       "and registers of the oops are unknown",
			       u->rebuilt_pcpu, u->rebuilt_vcpu);
	}
	if (u->xen)
		kt_xenlog_attach(u->xen, r);
	if (u->xca_seen) {
		r->xen.analyser_log_seen = true;
		r->xen.analyser_complete = u->xca_complete;
	}
	(void)kt_sign_run(a->ctx, r);
	(void)kt_decode_run(a->ctx, r, &a->dopts);
	const struct kt_ruleset *rs = rules_of(a);

	if (rs)
		(void)kt_diagnose_run(a->ctx, rs, u->facts, r);
	*(struct kt_report **)kt_vec_push(&u->reports) = r;
}

/* Reports of several hosts finish in any order: put the unit's reports
 * from index `first` back in log order (stable; they are few). */
static void
sort_by_line(struct unit_state *u, size_t first)
{
	struct kt_report **v = u->reports.v;

	for (size_t i = first + 1; i < u->reports.n; i++) {
		struct kt_report *r = v[i];
		size_t j = i;

		for (; j > first && v[j - 1]->source.first_line > r->source.first_line; j--)
			v[j] = v[j - 1];
		v[j] = r;
	}
}

static size_t absorb_echoes(struct unit_state *u, size_t n);
static void order_reports(struct unit_state *u, size_t n);

/* A report of dom0's kernel (not the hypervisor's, not Xen's echo). */
static bool
is_dom0(const struct kt_report *r)
{
	return r->kind != KT_KIND_XEN_CRASH && r->kind != KT_KIND_XEN_DOMAIN_CRASH &&
	       !r->xen.echo;
}

/* Hand the first `n` pending reports to the caller, in order. */
static void
hand_out(struct unit_state *u, size_t n)
{
	struct kt_report **v = u->reports.v;

	for (size_t i = 0; i < n; i++) {
		struct kt_report *r = v[i];

		if (u->streaming && r->xen.echo && u->dom0_out)
			kt_report_note(r, r->source.first_line, KT_SEV_INFO,
				       "Xen's echo of a dom0 crash, not folded into dom0's report: "
				       "this input has more than %d crashes, whose reports go out "
				       "as they are found", KT_HELD_REPORTS);
		u->dom0_out = u->dom0_out || is_dom0(r);
		if (u->cb->report)
			u->cb->report(u->cb->ud, u->display, r);
		else
			kt_report_free(r);
	}
	if (n && n < u->reports.n)
		memmove(v, v + n, (u->reports.n - n) * sizeof(*v));
	u->reports.n -= n;
	u->member_first = u->member_first > n ? u->member_first - n : 0;
}

/* The unit has more reports than are held back for its order: hand out
 * every report whose place is known. The first time, the reports so far
 * are ordered as at the end of a unit (primary first, echoes folded);
 * later ones go out in log order. Reports of several hosts finish in any
 * order: one goes out once no report of any host that started earlier is
 * still open (`hs`: the splitter of the member being read, NULL when it is
 * done). */
static void
stream_out(struct unit_state *u, const struct kt_hostsplit *hs)
{
	size_t n = u->reports.n;

	if (hs && kt_hostsplit_hosts(hs) > 1) {
		struct kt_report **v = u->reports.v;
		uint32_t lo = kt_hostsplit_first_pending(hs);

		sort_by_line(u, u->member_first);
		for (n = u->member_first; n < u->reports.n && v[n]->source.first_line < lo; n++)
			;
		/* a host whose report stays open for ever (its lines stopped)
		 * does not hold back the others' without bound */
		if (u->reports.n - n > 4 * KT_HELD_REPORTS)
			n = u->reports.n;
	}
	if (!u->streaming) {
		u->streaming = true;
		n = absorb_echoes(u, n);
		order_reports(u, n);
	}
	hand_out(u, n);
}

/* ---- prefilter: lines that cannot matter are not parsed (skip.h) ------ */

/* The analyzer's prefilter keyword sets, made on first need; NULL when
 * they cannot be (then every line is parsed). */
static const struct kt_skip_sets *
prefilter_sets(struct kt_analyzer *a, const struct kt_hostsplit *h)
{
	if (!a->sets && !a->kw_failed &&
	    kt_skip_sets_new(a->ctx, kt_hostsplit_detector(h), &a->sets) != 0)
		a->kw_failed = true;
	return a->sets;
}

/* One member's way through normalize + parse. */
struct member_state {
	struct unit_state *u;
	struct kt_normalizer *norm;
	struct kt_hostsplit *p;		/* a parser per syslog host */
	bool xenlog;
};

static void feed_line(struct member_state *m, const struct kt_line *line);

/* Parse the skipped lines the prefix ring would hold, oldest first. */
static void
backfill(struct member_state *m, struct kt_skipper *sk)
{
	struct kt_line line;

	for (size_t k = 0; k < sk->n; k++) {
		struct kt_skipped *s = &sk->ring[(sk->next + KT_SKIP_RING - sk->n + k) % KT_SKIP_RING];

		kt_normalize(m->norm, kt_str_make(s->p, s->len), s->no, &line);
		line.truncated = line.truncated || s->trunc;
		feed_line(m, &line);
	}
	sk->n = 0;
	sk->stamp_age = -1;
}

static void
feed_line(struct member_state *m, const struct kt_line *line)
{
	struct kt_report *r;

	if (m->xenlog)
		kt_xenlog_feed(m->u->xen, line);
	kt_hostsplit_feed(m->p, line);
	while ((r = kt_hostsplit_take(m->p)) != NULL) {
		finish_report(m->u, r);
		if (m->u->streaming || m->u->reports.n > KT_HELD_REPORTS)
			stream_out(m->u, m->p);
	}
}

/* A pstore multi-part dump (first line "Oops#1 Part1"): the parts were
 * buffered; feed them in log order (normalize/pstore.h). Lines are
 * numbered in the stitched log, so that report ranges stay in order. */
static void
feed_pstore(struct member_state *m, struct kt_pstore *ps, const char *name, uint32_t seq)
{
	struct kt_str raw;
	struct kt_line line;
	uint32_t no;

	if (kt_pstore_gaps(ps))
		kt_diag(m->u->a->ctx, KT_SEV_WARN, name,
			"pstore record with missing parts: the stitched log has gaps");
	if (kt_pstore_truncated(ps))
		kt_diag(m->u->a->ctx, KT_SEV_WARN, name,
			"pstore dump too large to stitch (over %u MiB kept): the rest was not read",
			KT_PSTORE_MAX_BYTES >> 20);
	kt_diag(m->u->a->ctx, KT_SEV_INFO, name,
		"pstore dump: %zu record(s) stitched in log order (Part1 last); line numbers "
		"count the stitched log", kt_pstore_records(ps));
	while (kt_pstore_next(ps, &raw, &no)) {
		kt_normalize(m->norm, raw, ++seq, &line);
		feed_line(m, &line);
	}
}

/* Stream one member through normalize + parse; reports go to the unit.
 * Two forms are not line by line: journalctl -o export streams (decoded
 * entry by entry) and pstore multi-part dumps (from the first part header
 * on, buffered, then stitched). */
static int
parse_member(struct unit_state *u, struct kt_input *in, const char *name, bool xenlog)
{
	struct member_state m = { u, kt_normalizer_new(), kt_hostsplit_new(u->a->ctx, name), xenlog };
	struct kt_skipper sk = { .stamp_age = -1 };
	bool prefilter = !xenlog && !u->a->opts.full_feed;
	struct kt_jexport *jx = NULL;	/* journalctl -o export stream */
	struct kt_pstore *ps = NULL;	/* pstore dump */
	struct kt_report *r;
	struct kt_str raw;
	struct kt_line line;
	uint32_t no, entries = 0, ps_base = 0;
	bool trunc;
	int rc;

	if (!m.p) {
		kt_normalizer_free(m.norm);
		return KT_EFORMAT;
	}
	u->reading_xen = xenlog;
	u->member_first = u->reports.n;
	kt_hostsplit_set_max_reports(m.p, u->max_reports);
	while ((rc = kt_input_next(in, &raw, &no, &trunc)) > 0) {
		if (sk.on && !ps && kt_skip_line(&sk, in, raw, no, trunc))
			continue;
		if (sk.n)
			backfill(&m, &sk);
		if (no == 1 && kt_jexport_sniff(raw))
			jx = kt_jexport_new();
		else if (!jx && !ps && raw.len < 40 && kt_pstore_header(raw, NULL, NULL, NULL)) {
			ps = kt_pstore_new();	/* e.g. after a console-ramoops file */
			ps_base = no - 1;
		}
		if (ps) {
			kt_pstore_add_line(ps, raw, no);
			continue;
		}
		if (jx) {
			if (!kt_jexport_feed(jx, raw, trunc))
				continue;
			kt_normalize_jexport(m.norm, jx, ++entries, &line);
		} else {
			kt_normalize(m.norm, raw, no, &line);
			line.truncated = line.truncated || trunc;
		}
		feed_line(&m, &line);
		if (prefilter && no >= KT_SKIP_AFTER && !jx && !sk.sets &&
		    !(sk.sets = prefilter_sets(u->a, m.p)))
			prefilter = false;
		sk.on = sk.sets && !jx && kt_hostsplit_settled(m.p);
		if (sk.on)
			sk.host = kt_skip_host(kt_hostsplit_cur_host(m.p));
	}
	if (jx && kt_jexport_end(jx)) {
		kt_normalize_jexport(m.norm, jx, ++entries, &line);
		feed_line(&m, &line);
	}
	if (ps)
		feed_pstore(&m, ps, name, ps_base);
	kt_jexport_free(jx);
	kt_pstore_free(ps);
	kt_hostsplit_end(m.p);
	while ((r = kt_hostsplit_take(m.p)) != NULL)
		finish_report(u, r);
	u->dropped += kt_hostsplit_dropped(m.p);
	if (kt_hostsplit_hosts(m.p) > 1)
		sort_by_line(u, u->member_first);
	u->member_first = u->reports.n;
	if (u->streaming || u->reports.n > KT_HELD_REPORTS)
		stream_out(u, NULL);
	kt_hostsplit_free(m.p);
	kt_normalizer_free(m.norm);
	return rc < 0 ? rc : 0;
}

static void
read_xca(struct unit_state *u, struct kt_input *in)
{
	struct kt_str raw;
	uint32_t no;
	bool trunc;

	u->xca_seen = true;
	while (kt_input_next(in, &raw, &no, &trunc) > 0)
		if (kt_str_find(raw, "COMPLETE") >= 0)
			u->xca_complete = true;
}

/* Members are read in this order: xen.log before the kernel rings. */
static int
member_rank(enum kt_member_role role)
{
	switch (role) {
	case KT_ROLE_XCA_LOG: return 0;
	case KT_ROLE_XEN_LOG: return 1;
	case KT_ROLE_DOM0_LOG: return 2;
	case KT_ROLE_KEXEC_DMESG: return 3;
	case KT_ROLE_DOMN_LOG: return 4;
	case KT_ROLE_LOG: return 5;
	default: return 9;
	}
}

static int
run_member(struct unit_state *u, const struct kt_unit *unit, size_t i)
{
	const struct kt_unit_member *m = &unit->members[i];
	struct kt_input *in;
	int rc;

	if (m->role == KT_ROLE_LSPCI || m->role == KT_ROLE_OTHER)
		return 0;
	u->member = m->name;
	rc = kt_unit_open(u->a->ctx, unit, i, &in);
	if (rc) {
		kt_diag(u->a->ctx, KT_SEV_WARN, m->name, "%s", kt_ctx_errmsg(u->a->ctx));
		return rc;
	}
	if (m->role == KT_ROLE_XCA_LOG)
		read_xca(u, in);
	else
		rc = parse_member(u, in, kt_input_name(in), m->role == KT_ROLE_XEN_LOG);
	if (rc)
		kt_diag(u->a->ctx, KT_SEV_WARN, m->name, "%s", kt_ctx_errmsg(u->a->ctx));
	kt_input_free(in);
	return rc;
}

/* A crash folder without a dom0 oops: the crash, if xen.log's guest state
 * shows dom0 panicked (parse/xenlog.c kt_xenlog_guest_crash). */
static void
rebuild_from_xen(struct unit_state *u, const struct kt_unit *unit)
{
	struct kt_buf text;
	struct kt_input *in;
	char name[1024];
	long xi = kt_unit_find(unit, KT_ROLE_XEN_LOG);

	kt_buf_init(&text);
	if (xi >= 0 && kt_xenlog_guest_crash(u->a->ctx, u->xen, &text, &u->rebuilt_pcpu,
					     &u->rebuilt_vcpu) > 0) {
		snprintf(name, sizeof(name), "%s%s%s", unit->display,
			 unit->display[0] && !strchr("/:", unit->display[strlen(unit->display) - 1])
				 ? "/" : "", unit->members[xi].name);
		if (kt_input_open_mem(u->a->ctx, name, text.p, text.len, &in) == 0) {
			u->rebuilt = true;
			(void)parse_member(u, in, name, false);
			u->rebuilt = false;
			kt_input_free(in);
		}
	}
	kt_buf_deinit(&text);
}

/* Xen's echo of a dom0 crash (r->xen.echo, data/parse/headers.txt "echo")
 * is no crash of its own when dom0's report is in the unit: it becomes the
 * xen section of dom0's first report, so the primary report is the real
 * crash (XCP-ng 8.x crash folders, serial consoles with (XEN) lines). */
static size_t
absorb_echoes(struct unit_state *u, size_t n)
{
	struct kt_report **v = u->reports.v;
	struct kt_report *dom0 = NULL;
	size_t k = 0;

	for (size_t i = 0; i < n && !dom0; i++)
		if (is_dom0(v[i]))
			dom0 = v[i];
	if (!dom0)
		return n;
	for (size_t i = 0; i < n; i++) {
		struct kt_report *e = v[i];

		if (!e->xen.echo) {
			v[k++] = e;
			continue;
		}
		dom0->xen.present = true;
		if (!dom0->xen.crash_reason && e->header)
			dom0->xen.crash_reason = kt_report_strdup(dom0, e->header);
		kt_report_note(dom0, dom0->source.first_line, KT_SEV_INFO,
			       "Xen's console repeats this crash: \"%s\" (%s line %u)",
			       e->header ? e->header : "", e->source.file ? e->source.file : "",
			       e->source.first_line);
		kt_report_free(e);
	}
	memmove(v + k, v + n, (u->reports.n - n) * sizeof(*v));
	u->reports.n -= n - k;
	return k;
}

/* A hypervisor crash is the primary report of a crash folder; otherwise the
 * kernel ring's first report is. Stable otherwise (log order). Orders the
 * first `n` reports. */
static void
order_reports(struct unit_state *u, size_t n)
{
	struct kt_report **v = u->reports.v;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i]->kind == KT_KIND_XEN_CRASH) {
			struct kt_report *r = v[i];

			memmove(&v[k + 1], &v[k], (i - k) * sizeof(*v));
			v[k++] = r;
		}
	}
}

static void emit_unit(struct unit_state *u, const char *display, int status);

static int
run_unit(void *ud, const struct kt_unit *unit)
{
	struct unit_state *u = ud;
	int status = 0;

	flush_held(u);
	u->display = unit->display;
	u->dropped = 0;
	u->kernel_reports = 0;
	u->kept = u->member_first = 0;
	u->streaming = u->dom0_out = false;
	kt_vec_init(&u->reports, sizeof(struct kt_report *));
	u->xen = unit->crash_folder ? kt_xenlog_new() : NULL;
	u->xca_seen = u->xca_complete = false;
	if (u->cb->unit_begin)
		u->cb->unit_begin(u->cb->ud, unit->display);
	u->in_unit = true;
	u->name_members = unit->crash_folder;
	for (int rank = 0; rank <= 9; rank++)
		for (size_t i = 0; i < unit->n_members; i++)
			if (member_rank(unit->members[i].role) == rank) {
				int rc = run_member(u, unit, i);

				if (rc && !status)
					status = rc;
			}
	if (u->xca_seen && !u->xca_complete)
		kt_diag(u->a->ctx, KT_SEV_WARN, unit->display,
			"xen-crashdump-analyser.log does not say COMPLETE: the analyser was cut "
			"short and the crash folder may be partial");
	u->member = NULL;
	if (unit->crash_folder && u->xen && u->kernel_reports == 0)
		rebuild_from_xen(u, unit);
	if (u->dropped)
		kt_problem(u->a->ctx, NULL, KT_PROBLEM_LIMIT, NULL, -1,
			   "%zu more crash%s found but not reported (--max-reports %zu)",
			   u->dropped, u->dropped == 1 ? "" : "es", u->max_reports);
	u->in_unit = false;
	if (!u->streaming)
		(void)absorb_echoes(u, u->reports.n);
	emit_unit(u, unit->display, status);
	return 0;
}

/* Hand the unit's reports to the caller, in order, and end the unit. */
static void
emit_unit(struct unit_state *u, const char *display, int status)
{
	if (!u->streaming)
		order_reports(u, u->reports.n);
	u->display = display;
	hand_out(u, u->reports.n);
	kt_vec_deinit(&u->reports);
	u->display = u->piece;
	kt_xenlog_free(u->xen);
	u->xen = NULL;
	if (u->cb->unit_end)
		u->cb->unit_end(u->cb->ud, display, status);
}

static bool
looks_like_archive(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strstr(base, ".tar") || strstr(base, ".tgz") || strstr(base, ".tbz") ||
	       strstr(base, ".zip");
}

/* A XenServer status report carries the host's network state next to its
 * crash folders: audit it so the rules see the real NICs and MTUs, as
 * `--host-facts` would give them. NULL when the archive has none. */
static struct kt_host_facts *
status_report_facts(struct kt_ctx *ctx, const char *path)
{
	struct kt_net_inventory *inv = NULL;
	struct kt_driver_db *db = NULL;
	struct kt_host_facts *facts = NULL;

	if (kt_net_inventory_new(ctx, &inv) != 0)
		return NULL;
	if (kt_net_inventory_status_report(ctx, path, inv) == 0 && inv->n_ifaces &&
	    kt_driver_db_load(ctx, &db) == 0) {
		(void)kt_net_audit(ctx, inv, db);
		(void)kt_host_facts_from_inventory(inv, &facts);
		kt_diag(ctx, KT_SEV_INFO, path, "host facts taken from the status report's "
			"network state (%zu interfaces)", inv->n_ifaces);
	}
	kt_driver_db_free(db);
	kt_net_inventory_free(inv);
	return facts;
}

int
kt_analyze_path(struct kt_analyzer *a, const char *path, const struct kt_analyze_cb *cb)
{
	return kt_analyze_piece(a, path, 0, cb);
}

_Static_assert(KT_PIECE_MEMBER == KT_SPLIT_MEMBER, "piece flags are the walk's");

int
kt_analyze_piece(struct kt_analyzer *a, const char *path, unsigned flags,
		 const struct kt_analyze_cb *cb)
{
	struct kt_host_facts *own = NULL;
	struct unit_state u;
	int rc;

	kt_problem_fn old_fn = a->ctx->problem;
	void *old_data = a->ctx->problem_data;
	struct kt_input_limits old_limits = a->ctx->limits;

	memset(&u, 0, sizeof(u));
	u.a = a;
	u.cb = cb;
	u.facts = a->facts;
	u.max_reports = a->opts.max_reports ? a->opts.max_reports : KT_DEFAULT_MAX_REPORTS;
	kt_vec_init(&u.held, sizeof(struct held_problem));
	if (!u.facts && !a->opts.no_diagnose && looks_like_archive(path))
		u.facts = own = status_report_facts(a->ctx, path);
	a->ctx->problem = on_problem;
	a->ctx->problem_data = &u;
	a->ctx->limits.max_members = a->opts.max_members;
	a->ctx->limits.max_depth = a->opts.max_depth;
	a->ctx->limits.max_line = a->opts.max_line;
	a->ctx->limits.max_bytes = a->opts.max_bytes;
	u.display = u.piece = path;
	rc = (flags & KT_PIECE_MEMBER) ? kt_walk_member(a->ctx, path, run_unit, &u)
				       : kt_walk(a->ctx, path, run_unit, &u);
	flush_held(&u);
	kt_vec_deinit(&u.held);
	a->ctx->problem = old_fn;
	a->ctx->problem_data = old_data;
	a->ctx->limits = old_limits;
	kt_host_facts_free(own);
	return rc;
}

int
kt_analyze_text(struct kt_analyzer *a, const char *name, const char *text, size_t len,
		const struct kt_analyze_cb *cb)
{
	struct unit_state u;
	struct kt_input *in;
	int rc, status;

	memset(&u, 0, sizeof(u));
	u.a = a;
	u.cb = cb;
	u.facts = a->facts;
	u.display = name;
	u.max_reports = a->opts.max_reports ? a->opts.max_reports : KT_DEFAULT_MAX_REPORTS;
	rc = kt_input_open_mem(a->ctx, name, text, len, &in);
	if (rc)
		return rc;
	kt_vec_init(&u.reports, sizeof(struct kt_report *));
	kt_vec_init(&u.held, sizeof(struct held_problem));
	if (cb->unit_begin)
		cb->unit_begin(cb->ud, name);
	status = parse_member(&u, in, name, false);
	kt_input_free(in);
	if (u.dropped)
		kt_diag(a->ctx, KT_SEV_WARN, name,
			"%zu more crash%s found but not reported (--max-reports %zu)",
			u.dropped, u.dropped == 1 ? "" : "es", u.max_reports);
	if (!u.streaming)
		(void)absorb_echoes(&u, u.reports.n);
	emit_unit(&u, name, status);
	kt_vec_deinit(&u.held);
	return 0;
}

/* ---- streams (ktriage watch) ----------------------------------------- */

/* Reports found by one parser before it is replaced: the parser caps what
 * it finds over its life (KT_MAX_REPORTS); a stream lives for days. */
#define STREAM_RENEW 256

struct kt_stream {
	struct kt_analyzer *a;
	char *name;
	struct kt_normalizer *norm;
	struct kt_parser *p;
	uint32_t no;
	size_t found;		/* reports taken from the current parser */
};

static struct kt_parser *
stream_parser(struct kt_stream *s)
{
	kt_parser_free(s->p);
	s->p = kt_parser_new(s->a->ctx, s->name);
	s->found = 0;
	return s->p;
}

int
kt_stream_new(struct kt_analyzer *a, const char *name, struct kt_stream **ret)
{
	struct kt_stream *s = kt_calloc(1, sizeof(*s));

	s->a = a;
	s->name = kt_strdup(name);
	s->norm = kt_normalizer_new();
	if (!stream_parser(s)) {
		kt_stream_free(s);
		return KT_EFORMAT;
	}
	*ret = s;
	return 0;
}

void
kt_stream_free(struct kt_stream *s)
{
	if (!s)
		return;
	kt_parser_free(s->p);
	kt_normalizer_free(s->norm);
	free(s->name);
	free(s);
}

void
kt_stream_feed(struct kt_stream *s, const char *line, size_t len)
{
	struct kt_line l;
	struct kt_parser *np;

	/* between reports, a parser that found many makes way for a new one */
	if (s->found >= STREAM_RENEW && kt_parser_idle(s->p) &&
	    (np = kt_parser_new(s->a->ctx, s->name)) != NULL) {
		kt_parser_free(s->p);
		s->p = np;
		s->found = 0;
	}

	if (len > KT_MAX_LINE)
		len = KT_MAX_LINE;
	kt_normalize(s->norm, kt_str_make(line, len), ++s->no, &l);
	kt_parser_feed(s->p, &l);
}

struct kt_report *
kt_stream_take(struct kt_stream *s)
{
	struct kt_report *r = kt_parser_take(s->p);
	struct kt_analyzer *a = s->a;

	if (!r)
		return NULL;
	s->found++;
	(void)kt_sign_run(a->ctx, r);
	(void)kt_decode_run(a->ctx, r, &a->dopts);
	const struct kt_ruleset *rs = rules_of(a);

	if (rs)
		(void)kt_diagnose_run(a->ctx, rs, a->facts, r);
	return r;
}

bool
kt_stream_pending(const struct kt_stream *s)
{
	return !kt_parser_idle(s->p);
}

bool
kt_stream_ended(const struct kt_stream *s)
{
	return kt_parser_in_tail(s->p);
}

void
kt_stream_flush(struct kt_stream *s)
{
	kt_parser_end(s->p);
}

int
kt_analyze_split(struct kt_ctx *ctx, const char *path,
		 int (*fn)(void *ud, const char *piece, unsigned flags), void *ud)
{
	return kt_walk_split(ctx, path, fn, ud);
}
