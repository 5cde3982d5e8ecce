/*
 * Fuzz target: the rule loader and the matcher. The input is a YAML rule
 * file; when it loads, its rules run over a small synthetic report whose
 * text lines are the input's own lines (so rule regexes also meet hostile
 * subjects). Must never crash, hang or leak, whatever the bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/diagnose.h>
#include <ktriage/ktriage.h>

#define MAX_LINES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kt_report *
synthetic_report(const char *text, size_t len)
{
	static struct kt_frame frames[] = {
		{ .function = "skb_copy_bits", .reliable = false },
		{ .function = "ip_fragment", .reliable = true },
		{ .function = "xenvif_tx_action", .module = "xen_netback", .reliable = true },
		{ .function = "net_rx_action", .reliable = true },
	};
	static struct kt_module mods[] = { { "enic", "O" }, { "bridge", NULL } };
	static struct kt_reg regs[] = { { "RCX", 0x5c8 }, { "R12", 0x5dc } };
	struct kt_report *r = kt_report_new();
	const char **lines = kt_report_alloc(r, MAX_LINES * sizeof(char *));
	size_t start = 0;

	for (size_t i = 0; i <= len && r->n_lines < MAX_LINES; i++) {
		if (i < len && text[i] != '\n')
			continue;
		lines[r->n_lines++] = kt_report_strndup(r, text + start, i - start);
		start = i + 1;
	}
	r->lines = lines;
	r->header = r->n_lines ? lines[0] : NULL;
	r->kind = KT_KIND_PAGING_REQUEST;
	r->ip.function = "memcpy";
	r->kernel.release = "4.19.0+1";
	r->kernel.tainted = "G     D     O";
	r->frames = frames;
	r->n_frames = sizeof(frames) / sizeof(frames[0]);
	r->modules = mods;
	r->n_modules = 2;
	r->regs = regs;
	r->n_regs = 2;
	r->panic = "Fatal exception in interrupt";
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = kt_ruleset_new();
	struct kt_host_iface ifs[] = { { .name = "eth2", .driver = "enic", .mtu = 9000, .jumbo = "no" } };
	struct kt_host_facts hf = { .ifaces = ifs, .n_ifaces = 1 };

	if (kt_ruleset_add_text(ctx, rs, "fuzz.yaml", (const char *)data, size) == 0 &&
	    kt_ruleset_count(rs) > 0) {
		struct kt_report *r = synthetic_report((const char *)data, size);
		struct kt_rule_info ri;

		(void)kt_diagnose_run(ctx, rs, &hf, r);
		(void)kt_ruleset_info(rs, 0, &ri);
		kt_report_free(r);
	}
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
	return 0;
}
