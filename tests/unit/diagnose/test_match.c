/* Unit tests: diagnose matcher (every matcher kind, required/absent,
 * confidence combinations, score, templates, ordering) and the story, on
 * synthetic reports built in C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/diagnose.h>

#include "diagnose/diagnose.h"
#include "util/data.h"

/* ---- report builder ---------------------------------------------------- */

static void
frame(struct kt_report *r, const char *fn, const char *mod, bool reliable)
{
	struct kt_frame *f = kt_report_alloc(r, (r->n_frames + 1) * sizeof(*f));

	if (r->n_frames)
		memcpy(f, r->frames, r->n_frames * sizeof(*f));
	f[r->n_frames].function = fn;
	f[r->n_frames].module = mod;
	f[r->n_frames].reliable = reliable;
	r->frames = f;
	r->n_frames++;
}

static void
module(struct kt_report *r, const char *name, const char *flags)
{
	struct kt_module *m = kt_report_alloc(r, (r->n_modules + 1) * sizeof(*m));

	if (r->n_modules)
		memcpy(m, r->modules, r->n_modules * sizeof(*m));
	m[r->n_modules].name = name;
	m[r->n_modules].flags = flags;
	r->modules = m;
	r->n_modules++;
}

static void
reg(struct kt_report *r, const char *name, uint64_t v)
{
	struct kt_reg *g = kt_report_alloc(r, (r->n_regs + 1) * sizeof(*g));

	if (r->n_regs)
		memcpy(g, r->regs, r->n_regs * sizeof(*g));
	g[r->n_regs].name = name;
	g[r->n_regs].value = v;
	r->regs = g;
	r->n_regs++;
}

static void
line(struct kt_report *r, const char *text)
{
	const char **l = kt_report_alloc(r, (r->n_lines + 1) * sizeof(*l));

	if (r->n_lines)
		memcpy(l, r->lines, r->n_lines * sizeof(*l));
	l[r->n_lines++] = text;
	r->lines = l;
}

/* The seed crash's shape (3.10 XenServer dom0), without host facts. */
static struct kt_report *
seed_like(const char *copy_fn, const char *frag_fn, bool softirq)
{
	struct kt_report *r = kt_report_new();

	r->kind = KT_KIND_PAGING_REQUEST;
	r->header = "BUG: unable to handle kernel paging request at ffff8801705505c0";
	r->ip.present = true;
	r->ip.function = copy_fn;
	r->ip.offset = 6;
	r->fault.present = r->fault.has_address = true;
	r->fault.address = 0xffff8801705505c0;
	r->fault.access = "read";
	r->fault.mode = "kernel";
	r->fault.reason = "not-present page";
	r->kernel.release = "3.10.0+2";
	r->kernel.tainted = "G           O";
	r->panic = "Fatal exception in interrupt";
	frame(r, "skb_copy_bits", NULL, false);
	frame(r, frag_fn, NULL, true);
	frame(r, "br_nf_dev_queue_xmit", "bridge", true);
	frame(r, "br_nf_post_routing", "bridge", true);
	frame(r, "netif_receive_skb", NULL, true);
	frame(r, "xenvif_tx_action", NULL, true);
	frame(r, "xenvif_poll", NULL, true);
	if (softirq) {
		frame(r, "net_rx_action", NULL, true);
		frame(r, "__do_softirq", NULL, true);
	}
	module(r, "bridge", NULL);
	module(r, "ixgbe", NULL);
	reg(r, "RCX", 0x5c8);
	reg(r, "R12", 0x5dc);
	reg(r, "RSI", 0xffff8801705505c0);
	return r;
}

static const struct kt_finding *
finding(const struct kt_report *r, const char *id)
{
	for (size_t i = 0; i < r->n_findings; i++)
		if (!strcmp(r->findings[i].rule, id))
			return &r->findings[i];
	return NULL;
}

static bool
has_evidence(const struct kt_finding *f, const char *needle)
{
	for (size_t i = 0; f && i < f->n_evidence; i++)
		if (strstr(f->evidence[i], needle))
			return true;
	return false;
}

static struct kt_ruleset *
builtin(struct kt_ctx *ctx)
{
	struct kt_ruleset *rs = NULL;

	if (kt_ruleset_load_builtin(ctx, &rs) != 0)
		fail_msg("builtin rules: %s", kt_ctx_errmsg(ctx));
	return rs;
}

/* ---- the seed crash: the general rule and the enic special case ---------- */

struct seed_case {
	const char *copy_fn, *frag_fn;
	bool enic_loaded;
	const char *log_line;	/* an extra kernel log line, or NULL */
	int enic_mtu;		/* host facts: enic interface MTU (0 = no host facts) */
	int net_mtu;		/* host facts: network MTU */
	const char *want_enic;	/* confidence, or NULL = must not fire */
	const char *want_general;
	int port_mtu;		/* host facts: enic port (vNIC) MTU from its log, 0 unknown */
};

static const struct seed_case seed_cases[] = {
	/* the stack alone proves the general precondition (bridge + guest VIF) */
	{ "memcpy", "ip_fragment", false, NULL, 0, 0, NULL, "high", 0 },
	{ "memcpy_erms", "ip_do_fragment", false, NULL, 0, 0, NULL, "high", 0 },
	{ "memcpy_orig", "ip_do_fragment", false, NULL, 0, 0, NULL, "high", 0 },
	/* enic loaded but no evidence about its vNIC: low */
	{ "memcpy", "ip_fragment", true, NULL, 0, 0, "low", "high", 0 },
	/* enic's warnings (both forms) are evidence: high */
	{ "memcpy", "ip_fragment", true,
	  "enic 0000:07:00.0 eth2: interface MTU (9000) set higher than port MTU (1500)", 0, 0,
	  "high", "high", 0 },
	{ "memcpy", "ip_fragment", true,
	  "enic 0000:07:00.0 eth2: interface MTU (9000) set higher than switch port MTU (1500)", 0,
	  0, "high", "high", 0 },
	/* host facts: enic at 9000 is NOT evidence of a smaller vNIC: medium */
	{ "memcpy", "ip_fragment", true, NULL, 9000, 9000, "medium", "high", 0 },
	/* a vNIC configured at 1500 under a 9000 network: high */
	{ "memcpy", "ip_fragment", true,
	  "enic 0000:07:00.0: vNIC MAC addr 00:25:b5:00:00:1f wq/rq 256/512 mtu 1500", 1500, 9000,
	  "high", "high", 0 },
	/* a vNIC at 9000: no evidence against it */
	{ "memcpy", "ip_fragment", true,
	  "enic 0000:07:00.0: vNIC MAC addr 00:25:b5:00:00:1f wq/rq 256/512 mtu 9000", 9000, 9000,
	  "medium", "high", 0 },
	/* host facts from a status report: the vNIC carries 1500 under 9000: high */
	{ "memcpy", "ip_fragment", true, NULL, 9000, 9000, "high", "high", 1500 },
	/* ... and a vNIC at 9000 is no evidence */
	{ "memcpy", "ip_fragment", true, NULL, 9000, 9000, "medium", "high", 9000 },
	/* a different copy routine: no fragmentation crash */
	{ "strcpy", "ip_fragment", true, NULL, 9000, 9000, NULL, NULL, 0 },
	/* fragmentation without the copy */
	{ "memcpy", "ip_finish_output", true, NULL, 9000, 9000, NULL, NULL, 0 },
};

static void
check_seed_finding(size_t i, const struct kt_finding *f, const char *want)
{
	if (!want) {
		if (f)
			fail_msg("case %zu: %s fired (%s) but must not", i, f->rule, f->confidence);
		return;
	}
	if (!f)
		fail_msg("case %zu: did not fire (want %s)", i, want);
	if (strcmp(f->confidence, want) != 0)
		fail_msg("case %zu: %s confidence %s, want %s", i, f->rule, f->confidence, want);
	assert_true(f->score > 0 && f->score <= 1);
	assert_true(has_evidence(f, "skb_copy_bits"));
	assert_true(has_evidence(f, "br_nf_dev_queue_xmit"));
	assert_true(f->n_remedy >= 3);
}

static void
test_seed_confidence(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = builtin(ctx);

	(void)state;
	for (size_t i = 0; i < sizeof(seed_cases) / sizeof(seed_cases[0]); i++) {
		const struct seed_case *c = &seed_cases[i];
		struct kt_report *r = seed_like(c->copy_fn, c->frag_fn, true);
		struct kt_host_iface ifs[2] = {
			{ .name = "eth0", .driver = "ixgbe", .mtu = 9000, .jumbo = "yes" },
			{ .name = "eth2", .driver = "enic", .mtu = c->enic_mtu, .jumbo = "depends",
			  .port_mtu = c->port_mtu },
		};
		struct kt_host_network nets[1] = {
			{ .uuid = "6f3e0c1a-0000-4000-8000-00000000abcd", .name = "Storage",
			  .bridge = "xenbr2", .mtu = c->net_mtu },
		};
		struct kt_host_facts hf = { .ifaces = ifs, .n_ifaces = 2, .networks = nets,
					    .n_networks = 1 };
		const struct kt_finding *f, *g;

		if (c->enic_loaded)
			module(r, "enic", "O");
		if (c->log_line)
			line(r, c->log_line);
		assert_int_equal(kt_diagnose_run(ctx, rs, c->enic_mtu ? &hf : NULL, r), 0);
		f = finding(r, "enic-jumbo-frames");
		g = finding(r, "bridge-refragment-guest-vif");
		check_seed_finding(i, f, c->want_enic);
		check_seed_finding(i, g, c->want_general);
		if (g) {
			bool plan = false;

			assert_true(has_evidence(g, "xenvif_tx_action"));
			assert_true(has_evidence(g, "R12 = 0x5dc (1500)"));
			for (size_t k = 0; k < g->n_remedy; k++)
				plan |= strstr(g->remedy[k], "ktriage net plan --network ") != NULL &&
					strstr(g->remedy[k], " --mtu 1500") != NULL;
			assert_true(plan);
			/* the explanation says why, driver-independently */
			assert_non_null(strstr(g->explanation, "br_nf_dev_queue_xmit"));
			assert_non_null(strstr(g->explanation, "Open vSwitch"));
		}
		if (f) {
			assert_non_null(strstr(f->explanation, "not the cause"));
			if (c->log_line && strstr(c->log_line, "set higher"))
				assert_true(has_evidence(f, "above the vNIC port MTU 1500"));
			if (c->port_mtu == 1500)
				assert_true(has_evidence(f, "its port (the vNIC) carries 1500"));
		}
		kt_report_free(r);
	}
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
}

/* ---- every matcher on a tiny rule ---------------------------------------- */

struct m_case {
	const char *cond;	/* YAML of the one required condition */
	bool want;
};

static const struct m_case m_cases[] = {
	{ "kind: [paging-request, null-pointer-dereference]", true },
	{ "kind: bug", false },
	{ "title: \"memcpy\"", false },		/* no title: header used */
	{ "title: \"paging request\"", true },
	{ "line: \"port MTU \\\\((\\\\d+)\\\\)\"", true },
	{ "line: \"nothing like this\"", false },
	{ "panic: \"in interrupt$\"", true },
	{ "frames: [skb_copy_bits, \"xenvif_.*\"]", true },
	{ "frames: [skb_copy]", false },	/* whole names only */
	{ "frames-in-order: [memcpy, skb_copy_bits, ip_fragment]", true },
	{ "frames-in-order: [ip_fragment, skb_copy_bits]", false },
	{ "guilty-frame: \"memcpy\"", true },
	{ "guilty-module: {name: \".*\"}", false },	/* memcpy is in vmlinux */
	{ "context: softirq", true },
	{ "context: [task, hardirq]", false },
	{ "module: bridge", true },
	{ "module: {name: \"enic\", flags: \"O\"}", true },
	{ "module: {name: \"bridge\", flags: \"OP\"}", false },
	{ "taint: O", true },
	{ "taint: D", false },
	{ "register: {name: \"R(CX|DX)\", in: [0x5c8]}", true },
	{ "register: {in: 0x2328}", false },
	{ "reg-note: mtu-size", false },
	{ "hardware: \"Cisco\"", false },
	{ "kernel: {min: \"3.10\", before: \"4.0\"}", true },
	{ "kernel: {min: \"3.10.1\"}", false },
	{ "kernel: {before: \"3.10\"}", false },
	{ "xen: \"\"", false },
	{ "comm: \"swapper/.*\"", false },
	{ "host-iface: {driver: enic, mtu-above: 1500}", false },	/* no host facts */
	{ "host-network: {mtu-above: 1500}", false },			/* no host facts */
};

static const char *
rule_text(const char *cond, bool absent)
{
	static char buf[1024];

	(void)snprintf(buf, sizeof(buf),
		       "id: t\ntitle: T\nseverity: low\nconditions:\n  - id: c\n    required: true\n"
		       "    absent: %s\n    %s\n    evidence: \"got {c}\"\nreferences: [\"https://example.org/x\"]\n",
		       absent ? "true" : "false", cond);
	return buf;
}

static void
test_matchers(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();

	(void)state;
	for (size_t i = 0; i < sizeof(m_cases) / sizeof(m_cases[0]); i++) {
		for (int absent = 0; absent < 2; absent++) {
			struct kt_ruleset *rs = kt_ruleset_new();
			struct kt_report *r = seed_like("memcpy", "ip_fragment", true);
			const char *t = rule_text(m_cases[i].cond, absent);
			bool want = m_cases[i].want != (absent != 0);

			module(r, "enic", "O");
			line(r, "enic: interface MTU (9000) set higher than port MTU (1500)");
			if (kt_ruleset_add_text(ctx, rs, "t.yaml", t, strlen(t)) != 0)
				fail_msg("case %zu: %s", i, kt_ctx_errmsg(ctx));
			assert_int_equal(kt_diagnose_run(ctx, rs, NULL, r), 0);
			if ((r->n_findings == 1) != want)
				fail_msg("case %zu (%s%s): fired=%d want=%d", i,
					 absent ? "absent " : "", m_cases[i].cond,
					 (int)r->n_findings, want);
			kt_report_free(r);
			kt_ruleset_free(rs);
		}
	}
	kt_ctx_free(ctx);
}

/* Templates: captures, sub-values, defaults, report fields. */
static void
test_templates(void **state)
{
	static const char text[] =
		"id: t\ntitle: T\nseverity: info\nconditions:\n"
		"  - id: w\n    required: true\n"
		"    line: \"interface MTU \\\\((\\\\d+)\\\\) set higher than port MTU \\\\((\\\\d+)\\\\)\"\n"
		"    evidence: \"mtu {w.1} > {w.2}\"\n"
		"  - id: h\n    host-iface: {driver: enic}\n    evidence: \"iface {h.iface}\"\n"
		"  - id: m\n    module: {name: enic}\n"
		"explanation: \"on {report.release}, ctx {report.context}\"\n"
		"remedy: [\"ip link set {h.iface|<iface>} mtu 1500\", \"see {m.name}\"]\n"
		"references: [\"https://example.org/x\"]\n";
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = kt_ruleset_new();
	struct kt_report *r = seed_like("memcpy", "ip_fragment", true);
	const struct kt_finding *f;

	(void)state;
	line(r, "enic 0000:07:00.0 eth2: interface MTU (9000) set higher than port MTU (1500)");
	assert_int_equal(kt_ruleset_add_text(ctx, rs, "t.yaml", text, strlen(text)), 0);
	assert_int_equal(kt_diagnose_run(ctx, rs, NULL, r), 0);
	f = finding(r, "t");
	assert_non_null(f);
	assert_int_equal(f->n_evidence, 1);
	assert_string_equal(f->evidence[0], "mtu 9000 > 1500");
	assert_string_equal(f->explanation, "on 3.10.0+2, ctx softirq");
	assert_string_equal(f->remedy[0], "ip link set <iface> mtu 1500");
	assert_string_equal(f->remedy[1], "see <m.name>");
	/* no combos: confidence from the score (weights 1/3 held) */
	assert_string_equal(f->confidence, "low");
	kt_report_free(r);
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
}

/* Host facts fill the remedy's network uuid (host-network matcher). */
static void
test_host_network(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = builtin(ctx);
	struct kt_report *r = seed_like("memcpy", "ip_fragment", true);
	struct kt_host_iface ifs[] = { { .name = "eth2", .driver = "enic", .mtu = 9000, .jumbo = "no" } };
	struct kt_host_network nets[] = {
		{ .uuid = "6f3e0c1a-0000-4000-8000-00000000abcd", .name = "Storage", .bridge = "xenbr2",
		  .mtu = 9000 },
		{ .uuid = "11111111-0000-4000-8000-000000000000", .name = "Pool-wide", .bridge = "xenbr0",
		  .mtu = 1500 },
	};
	struct kt_host_facts hf = { .ifaces = ifs, .n_ifaces = 1, .networks = nets, .n_networks = 2 };
	const struct kt_finding *f;
	bool uuid_in_remedy = false;

	(void)state;
	assert_int_equal(kt_diagnose_run(ctx, rs, &hf, r), 0);
	f = finding(r, "bridge-refragment-guest-vif");
	assert_non_null(f);
	assert_string_equal(f->confidence, "high");
	assert_true(has_evidence(f, "network 'Storage' on xenbr2 MTU 9000"));
	for (size_t k = 0; k < f->n_remedy; k++)
		uuid_in_remedy |= strstr(f->remedy[k], "ktriage net plan --network 'Storage' --mtu 1500 --xe") != NULL;
	assert_true(uuid_in_remedy);
	/* enic at 9000 in host facts is no evidence of a smaller vNIC */
	f = finding(r, "enic-jumbo-frames");
	assert_null(f);	/* enic module not loaded in this report */
	kt_report_free(r);
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
}

/* A catastrophic-backtracking regex meets a long hostile line: the match
 * limit ends it (no finding, no hang). */
static void
test_backtracking_limit(void **state)
{
	static const char text[] =
		"id: t\ntitle: T\nseverity: low\nconditions:\n"
		"  - {id: c, required: true, line: \"^(a+)+$\"}\nreferences: [\"https://example.org/x\"]\n";
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = kt_ruleset_new();
	struct kt_report *r = kt_report_new();
	char *evil = kt_report_alloc(r, 8192);

	(void)state;
	memset(evil, 'a', 8190);
	evil[8190] = 'b';
	for (int i = 0; i < 50; i++)
		line(r, evil);
	assert_int_equal(kt_ruleset_add_text(ctx, rs, "t.yaml", text, strlen(text)), 0);
	assert_int_equal(kt_diagnose_run(ctx, rs, NULL, r), 0);
	assert_int_equal(r->n_findings, 0);
	kt_report_free(r);
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
}

/* Findings are sorted: confidence, then score, then severity. */
static void
test_order(void **state)
{
	static const char text[] =
		"id: a-low\ntitle: A\nseverity: critical\nconditions:\n"
		"  - {id: k, required: true, kind: paging-request}\n"
		"  - {id: n, kind: bug}\n"
		"references: [\"https://example.org/x\"]\n---\n"
		"id: b-high\ntitle: B\nseverity: info\nconditions:\n"
		"  - {id: k, required: true, kind: paging-request}\n"
		"  - {id: f, frames: [skb_copy_bits]}\n"
		"confidence: {high: \"k + f\"}\n"
		"references: [\"https://example.org/x\"]\n---\n"
		"id: c-none\ntitle: C\nseverity: info\nconditions:\n"
		"  - {id: k, required: true, kind: bug}\n"
		"references: [\"https://example.org/x\"]\n";
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = kt_ruleset_new();
	struct kt_report *r = seed_like("memcpy", "ip_fragment", false);

	(void)state;
	assert_int_equal(kt_ruleset_add_text(ctx, rs, "t.yaml", text, strlen(text)), 0);
	assert_int_equal(kt_ruleset_count(rs), 3);
	assert_int_equal(kt_diagnose_run(ctx, rs, NULL, r), 0);
	assert_int_equal(r->n_findings, 2);
	assert_string_equal(r->findings[0].rule, "b-high");
	assert_string_equal(r->findings[0].confidence, "high");
	assert_string_equal(r->findings[1].rule, "a-low");
	assert_true(r->findings[1].score > 0.49 && r->findings[1].score < 0.51);
	assert_int_equal(kt_diagnose_run(ctx, NULL, NULL, r), KT_EINVAL);
	kt_report_free(r);
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
}

/* ---- the story ------------------------------------------------------------ */

static bool
story_has(const struct kt_report *r, const char *needle)
{
	for (size_t i = 0; i < r->n_story; i++)
		if (strstr(r->story[i], needle))
			return true;
	return false;
}

static void
test_story_seed(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_report *r = seed_like("memcpy", "ip_fragment", true);
	struct kt_frame *xf = kt_report_alloc(r, sizeof(*xf));

	(void)state;
	xf->function = "xen_hypercall_kexec_op";
	xf->reliable = true;
	r->xen.present = true;
	r->xen.frames = xf;
	r->xen.n_frames = 1;
	assert_int_equal(kt_diagnose_story(ctx, r), 0);
	assert_true(story_has(r, "guest network I/O"));
	assert_true(story_has(r, "(xenvif_tx_action)"));
	assert_true(story_has(r, "softirq context (net_rx_action)"));
	assert_true(story_has(r, "memcpy <- skb_copy_bits <- ip_fragment <- br_nf_dev_queue_xmit"));
	assert_true(story_has(r, "read kernel access to address 0xffff8801705505c0 (not-present page)"));
	assert_true(story_has(r, "panicked: \"Fatal exception in interrupt\""));
	assert_true(story_has(r, "kexec"));
	kt_report_free(r);
	kt_ctx_free(ctx);
}

struct story_case {
	const char *frames[6];
	enum kt_context ctx_field;
	const char *want_origin;	/* substring, or NULL: no origin sentence */
	const char *want_context;
};

static const struct story_case story_cases[] = {
	{ { "schedule", "io_schedule", "rpc_wait_bit_killable", "__rpc_execute", "nfs_file_read",
	    "entry_SYSCALL_64_after_hwframe" }, KT_CONTEXT_UNKNOWN, "NFS client I/O", "task context" },
	{ { "schedule", "worker_thread", "kthread", "ret_from_fork" }, KT_CONTEXT_UNKNOWN,
	  "a workqueue item", "task context (worker_thread)" },
	{ { "igb_poll", "net_rx_action", "__do_softirq" }, KT_CONTEXT_UNKNOWN,
	  "NET_RX softirq", "softirq context" },
	{ { "foo", "bar" }, KT_CONTEXT_UNKNOWN, NULL, NULL },
	{ { "foo", "bar" }, KT_CONTEXT_HARDIRQ, NULL, "hardirq context" },
};

static void
test_story_cases(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();

	(void)state;
	for (size_t i = 0; i < sizeof(story_cases) / sizeof(story_cases[0]); i++) {
		const struct story_case *c = &story_cases[i];
		struct kt_report *r = kt_report_new();

		r->kind = KT_KIND_HUNG_TASK;
		r->header = "INFO: task cat:1234 blocked for more than 120 seconds.";
		r->context = c->ctx_field;
		for (size_t k = 0; k < 6 && c->frames[k]; k++)
			frame(r, c->frames[k], NULL, true);
		assert_int_equal(kt_diagnose_story(ctx, r), 0);
		if (c->want_origin ? !story_has(r, c->want_origin) : story_has(r, "came from"))
			fail_msg("case %zu: origin, want %s", i, c->want_origin ? c->want_origin : "none");
		if (c->want_context ? !story_has(r, c->want_context) : story_has(r, "It ran in"))
			fail_msg("case %zu: context, want %s", i, c->want_context ? c->want_context : "none");
		/* no fault address: the header is quoted instead */
		assert_true(story_has(r, "(kind hung-task)"));
		assert_false(story_has(r, "first: schedule <-"));	/* scheduler frames are left out */
		for (size_t k = 0; k < r->n_story; k++)
			assert_true(r->story[k][strlen(r->story[k]) - 1] == '.');
		kt_report_free(r);
	}
	kt_ctx_free(ctx);
}

/* The frame table loads, and every data row compiled (a row with a bad
 * regex or role would be skipped silently at run time). */
static void
test_frame_table(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_frame_table *t = kt_frame_table_load(ctx);
	struct kt_data_blob blob;
	size_t rows = 0;

	(void)state;
	assert_int_equal(kt_data_read(ctx, "diagnose/frames.tsv", &blob), 0);
	for (size_t i = 0; i < blob.len; i++) {
		bool bol = i == 0 || blob.data[i - 1] == '\n';

		if (bol && blob.data[i] != '#' && blob.data[i] != '\n' &&
		    strncmp(blob.data + i, "pattern\t", 8) != 0)
			rows++;
	}
	kt_data_blob_deinit(&blob);
	assert_true(rows >= 20);
	assert_int_equal(kt_frame_table_count(t), rows);
	kt_frame_table_free(t);
	kt_frame_table_free(NULL);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_confidence),
		cmocka_unit_test(test_matchers),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_host_network),
		cmocka_unit_test(test_backtracking_limit),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_story_seed),
		cmocka_unit_test(test_story_cases),
		cmocka_unit_test(test_frame_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
