/*
 * Unit tests: the data-driven rules of detect and sign taken one at a time:
 * header detection and vetoes, kinds, title normalisation, syscall-wrapper
 * stripping, skip list, bug types, bucket stability.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed.h"
#include "parse/detect.h"

struct detect_case {
	const char *line;
	bool xen;
	const char *header;	/* NULL: not a header */
	enum kt_kind kind;
};

static const struct detect_case detect_cases[] = {
	{ "BUG: unable to handle kernel paging request at ffff8801705505c0", false, "bug", KT_KIND_PAGING_REQUEST },
	{ "BUG: unable to handle page fault for address: ffffc90000a3c000", false, "bug", KT_KIND_PAGING_REQUEST },
	{ "BUG: kernel NULL pointer dereference, address: 0000000000000010", false, "bug", KT_KIND_NULL_DEREF },
	{ "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008", false, "unable", KT_KIND_NULL_DEREF },
	{ "general protection fault: 0000 [#1] SMP", false, "gpf", KT_KIND_GPF },
	{ "stack segment: 0000 [#1] SMP", false, "stackseg", KT_KIND_STACK_SEGMENT },
	{ "PANIC: double fault, error_code: 0x0", false, "doublefault", KT_KIND_DOUBLE_FAULT },
	{ "divide error: 0000 [#1] PREEMPT SMP", false, "divide", KT_KIND_DIVIDE_ERROR },
	{ "invalid opcode: 0000 [#1] SMP", false, "opcode", KT_KIND_INVALID_OPCODE },
	{ "int3: 0000 [#1] SMP", false, "int3", KT_KIND_INT3 },
	{ "kernel BUG at mm/slub.c:3452!", false, "kbug", KT_KIND_BUG },
	{ "kernel BUG at lib/list_debug.c:53!", false, "kbug", KT_KIND_LIST_CORRUPTION },
	{ "WARNING: CPU: 1 PID: 2 at net/core/dev.c:1 f+0x1/0x2", false, "warning", KT_KIND_WARNING },
	{ "WARNING: kernel/foo.c:12 at f+0x1/0x2, CPU#0: a/1", false, "warning", KT_KIND_WARNING },
	{ "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [a:1]", false, "bug", KT_KIND_SOFT_LOCKUP },
	{ "NMI watchdog: Watchdog detected hard LOCKUP on cpu 3", false, "hardlockup", KT_KIND_HARD_LOCKUP },
	{ "rcu: INFO: rcu_sched self-detected stall on CPU", false, "info", KT_KIND_RCU_STALL },
	{ "INFO: task a.out:1 blocked for more than 120 seconds.", false, "info", KT_KIND_HUNG_TASK },
	{ "BUG: scheduling while atomic: a/1/0x00000002", false, "bug", KT_KIND_ATOMIC_SLEEP },
	{ "BUG: sleeping function called from invalid context at mm/slab.h:1", false, "bug", KT_KIND_ATOMIC_SLEEP },
	{ "WARNING: possible circular locking dependency detected", false, "warning", KT_KIND_LOCKDEP },
	{ "BUG: spinlock lockup suspected on CPU#0, a/1", false, "bug", KT_KIND_SPINLOCK },
	{ "BUG: Bad page state in process a  pfn:1", false, "bug", KT_KIND_BAD_PAGE },
	{ "BUG: Bad rss-counter state mm:0 type:MM_ANONPAGES val:1", false, "bug", KT_KIND_BAD_RSS },
	{ "refcount_t: underflow; use-after-free.", false, NULL, KT_KIND_UNKNOWN },
	{ "BUG: stack guard page was hit at 0 (stack is 0..1)", false, "bug", KT_KIND_STACK_GUARD },
	{ "BUG: KASAN: slab-out-of-bounds in f+0x1/0x2", false, "bug", KT_KIND_KASAN },
	{ "BUG: KMSAN: uninit-value in f+0x1/0x2", false, "bug", KT_KIND_KMSAN },
	{ "BUG: KCSAN: data-race in a / b", false, "bug", KT_KIND_KCSAN },
	{ "BUG: KFENCE: use-after-free read in f+0x1/0x2", false, "bug", KT_KIND_KFENCE },
	{ "UBSAN: array-index-out-of-bounds in fs/a.c:1:2", false, "ubsan", KT_KIND_UBSAN },
	{ "BUG: memory leak", false, "bug", KT_KIND_MEMORY_LEAK },
	{ "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: f+0x1/0x2", false, "panic", KT_KIND_STACK_PROTECTOR },
	{ "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b", false, "panic", KT_KIND_PANIC },
	{ "a.out invoked oom-killer: gfp_mask=0x0, order=0, oom_score_adj=0", false, "oom", KT_KIND_OOM },
	{ "mce: [Hardware Error]: CPU 0: Machine Check Exception: 5 Bank 4: b2", false, "mce", KT_KIND_MCE },
	{ "Internal error: Oops: 96000005 [#1] PREEMPT SMP", false, "internal", KT_KIND_ARM_FAULT },
	{ "----[ Xen-4.17.3  x86_64  debug=n  Not tainted ]----", true, "xenstart", KT_KIND_XEN_CRASH },
	{ "FATAL TRAP: vec 14, #PF[0000]", true, "xentrap", KT_KIND_XEN_CRASH },
	{ "Assertion 'x' failed at common/page_alloc.c:2212", true, "xenassert", KT_KIND_XEN_CRASH },
	{ "Domain 11 (vcpu#1) crashed on cpu#0:", true, "xendomcrash", KT_KIND_XEN_DOMAIN_CRASH },
	{ "Hardware Dom0 crashed: Executing kexec image on cpu4", true, "xendom0", KT_KIND_XEN_DOMAIN_CRASH },
	/* Xen headers only count on (XEN) lines, kernel ones only elsewhere. */
	{ "FATAL TRAP: vec 14, #PF[0000]", false, NULL, KT_KIND_UNKNOWN },
	{ "BUG: unable to handle kernel paging request at 0", true, NULL, KT_KIND_UNKNOWN },
	/* vetoes */
	{ "INFO: lockdep is turned off.", false, NULL, KT_KIND_UNKNOWN },
	{ "XFS (sda1): WARNING: Reset corrupted AGFL", false, NULL, KT_KIND_UNKNOWN },
	{ "traps: a[1] general protection fault ip:1 sp:2 error:0 in a[400000+1000]", false, NULL, KT_KIND_UNKNOWN },
	{ "Booting the kernel.", false, "reboot", KT_KIND_OTHER },
	/* SLUB reports: any cache, only slab_bug()'s own messages; the
	 * allocation/free tracks are headers of their own (see inside). */
	{ "BUG kmalloc-64 (Not tainted): Poison overwritten", false, "bugkmalloc", KT_KIND_BUG },
	{ "BUG numa_policy (Not tainted): Poison overwritten", false, "slub", KT_KIND_BUG },
	{ "BUG sas_task: Objects remaining on kmem_cache_close()", false, "slub", KT_KIND_BUG },
	{ "BUG dentry (Tainted: G        W  ): Redzone overwritten", false, "slub", KT_KIND_BUG },
	{ "BUG UNIX (Not tainted): kasan: bad access detected", false, NULL, KT_KIND_UNKNOWN },
	{ "BUG in the driver", false, NULL, KT_KIND_UNKNOWN },
	{ "INFO: Freed in f+0x1/0x2 age=7 cpu=0 pid=3", false, "slubtrack2", KT_KIND_OTHER },
	{ "INFO: Allocated in g+0x1/0x2 age=7 cpu=0 pid=3", false, "slubtrack", KT_KIND_OTHER },
	/* keyword search: at the very start and end of the line, repeated,
	 * table order over position, "start" keywords only at the start */
	{ "BUG:", false, "bug", KT_KIND_BUG },
	{ "x BUG:", false, "bug", KT_KIND_BUG },
	{ "BUG:BUG: x", false, "bug", KT_KIND_BUG },
	{ "general protection fault then BUG: x", false, "bug", KT_KIND_GPF },
	{ "panic: runtime error", false, "gopanic", KT_KIND_OTHER },
	{ "go panic: runtime error", false, NULL, KT_KIND_UNKNOWN },
	{ "BU", false, NULL, KT_KIND_UNKNOWN },
	{ "Xen BUG at common/x.c:1", true, "xenbug", KT_KIND_XEN_CRASH },
	{ "fuse: Unknown parameter 'Booting the kernel.'", false, NULL, KT_KIND_UNKNOWN },
};

static void
test_detect(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_detect *d;
	(void)state;
	assert_int_equal(kt_detect_new(ctx, &d), 0);
	for (size_t i = 0; i < sizeof(detect_cases) / sizeof(detect_cases[0]); i++) {
		const struct detect_case *c = &detect_cases[i];
		struct kt_detect_hit hit;
		bool is = kt_detect_line(d, kt_str_cstr(c->line), c->xen, &hit);
		print_message("line: %s\n", c->line);
		assert_int_equal(is, c->header != NULL);
		if (!is)
			continue;
		assert_string_equal(kt_detect_header_id(d, hit.header), c->header);
		assert_int_equal(hit.kind, c->kind);
	}
	/* The prefilter keywords cover every header. */
	const char *const *kw;
	size_t n = kt_detect_keywords(d, &kw);
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++)
		assert_true(kw[i] && kw[i][0]);
	kt_detect_free(d);
	kt_ctx_free(ctx);
}

struct str_case {
	const char *in;
	const char *out;
};

static const struct str_case norm_cases[] = {
	{ "WARNING in foo", "WARNING in foo" },
	{ "KASAN: slab-out-of-bounds in f at addr ffff88801234abcd", "KASAN: slab-out-of-bounds in f at addr ADDR" },
	{ "syz-executor123/4567 did x", "syz-executor did x" },
	{ "WARNING at kernel/foo.c:123 bar", "WARNING at kernel/foo.c:LINE bar" },
	{ "kernel panic: error -12 on CPU#3", "kernel panic: error -NUM on CPU" },
	{ "connect to 192.0.2.1 failed", "connect to IP failed" },
	{ "in do_thing+0x12/0x40 now", "in do_thing now" },
	{ "tabs\tand   spaces  ", "tabs and spaces" },
	{ "ctl\x01\x7f bytes", "ctl bytes" },
	{ "ext4_fill_super2 stays", "ext4_fill_super2 stays" },
};

static const struct str_case wrapper_cases[] = {
	{ "__x64_sys_rmdir", "sys_rmdir" },
	{ "__se_sys_mremap", "mremap" },
	{ "SyS_rmdir", "rmdir" },
	{ "compat_SyS_mount", "mount" },
	{ "ksys_mount", "mount" },
	{ "__do_sys_ioctl", "ioctl" },
	{ "ip_fragment", "ip_fragment" },
	{ "sys_", "sys_" },
};

static const struct str_case type_cases[] = {
	{ "KASAN: use-after-free Read in f", "KASAN-USE-AFTER-FREE-READ" },
	{ "KASAN: slab-out-of-bounds Write in f", "KASAN-WRITE" },
	{ "BUG: unable to handle kernel NULL pointer dereference in f", "NULL-POINTER-DEREFERENCE" },
	{ "possible deadlock in f", "LOCKDEP" },
	{ "WARNING in f", "WARNING" },
	{ "WARNING: refcount bug in f", "REFCOUNT_WARNING" },
	{ "INFO: task hung in f", "HANG" },
	{ "general protection fault in f", "DoS" },
	{ "memory leak in f", "LEAK" },
	{ "kernel BUG in f", "BUG" },
	{ "BUG: Bad page state in f", NULL },
	{ "WARNING: kernel stack regs has bad value", NULL },
};

static void
test_normalize_wrappers_types(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_signer *s;
	char buf[128];
	(void)state;
	assert_int_equal(kt_signer_new(ctx, &s), 0);
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		char *n = kt_signer_normalize(s, norm_cases[i].in);
		assert_string_equal(n, norm_cases[i].out);
		free(n);
	}
	char long_title[300];
	memset(long_title, 'z', sizeof(long_title) - 1);
	long_title[sizeof(long_title) - 1] = 0;
	char *n = kt_signer_normalize(s, long_title);
	assert_int_equal(strlen(n), 120);
	free(n);
	for (size_t i = 0; i < sizeof(wrapper_cases) / sizeof(wrapper_cases[0]); i++) {
		kt_signer_strip_wrapper(s, wrapper_cases[i].in, buf, sizeof(buf));
		assert_string_equal(buf, wrapper_cases[i].out);
	}
	for (size_t i = 0; i < sizeof(type_cases) / sizeof(type_cases[0]); i++) {
		const char *t = kt_signer_type(s, type_cases[i].in);
		if (type_cases[i].out)
			assert_string_equal(t ? t : "(null)", type_cases[i].out);
		else
			assert_null(t);
	}
	/* skip list: plumbing is skipped, real functions are not */
	assert_true(kt_signer_skipped(s, "memcpy"));
	assert_true(kt_signer_skipped(s, "_raw_spin_lock_irqsave"));
	assert_true(kt_signer_skipped(s, "warn_slowpath_fmt"));
	assert_true(kt_signer_skipped(s, "__kasan_report"));
	assert_false(kt_signer_skipped(s, "ip_fragment"));
	assert_false(kt_signer_skipped(s, "br_forward"));
	kt_signer_free(s);
	kt_ctx_free(ctx);
}

/* The same bug on another build (offsets, addresses, module build ids,
 * compiler suffixes differ) lands in the same bucket; another guilty frame
 * does not. */
static const char *const bucket_logs[] = {
	"[ 1.0] general protection fault: 0000 [#1] SMP\n"
	"[ 1.0] RIP: 0010:qux_walk+0x12/0x40 [qux]\n"
	"[ 1.0] Call Trace:\n"
	"[ 1.0]  qux_poll+0x10/0x20 [qux]\n"
	"[ 1.0]  net_rx_action+0x1/0x2\n"
	"[ 1.0]  __do_softirq+0x1/0x2\n",
	"[ 9.9] general protection fault: 0000 [#1] PREEMPT SMP KASAN\n"
	"[ 9.9] RIP: 0010:qux_walk.isra.3+0x99/0x400 [qux 0123456789abcdef]\n"
	"[ 9.9] Call Trace:\n"
	"[ 9.9]  <IRQ>\n"
	"[ 9.9]  ? unrelated_noise+0x1/0x2\n"
	"[ 9.9]  qux_poll+0x77/0x200 [qux 0123456789abcdef]\n"
	"[ 9.9]  net_rx_action+0x5/0x9\n"
	"[ 9.9]  __do_softirq+0x3/0x7\n",
	"[ 1.0] general protection fault: 0000 [#1] SMP\n"
	"[ 1.0] RIP: 0010:other_walk+0x12/0x40 [qux]\n"
	"[ 1.0] Call Trace:\n"
	"[ 1.0]  qux_poll+0x10/0x20 [qux]\n",
};

static void
test_bucket(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	char b[3][17];
	(void)state;
	for (int i = 0; i < 3; i++) {
		struct feed_result res;
		feed_text(ctx, bucket_logs[i], true, &res);
		assert_int_equal(res.n, 1);
		const struct kt_report *r = res.r[0];
		assert_non_null(r);
		snprintf(b[i], sizeof(b[i]), "%s", r->bucket);
		assert_int_equal(strlen(b[i]), 16);
		feed_free(&res);
	}
	assert_string_equal(b[0], b[1]);
	assert_string_not_equal(b[0], b[2]);
	kt_ctx_free(ctx);
}

/* kt_rx skips pcre2 for anchored patterns when the first byte cannot
 * start a match: the answers must be the same as pcre2's own. */
struct rx_case {
	const char *pattern;
	const char *subject;
	size_t start;
	bool match;
};

static const struct rx_case rx_cases[] = {
	{ "^---\\[ end trace", "---[ end trace 0 ]---", 0, true },
	{ "^---\\[ end trace", " ---[ end trace 0 ]---", 0, false },
	{ "^---\\[ end trace", "", 0, false },
	{ "^(?:RIP|RSP|FS)\\b:?", "FS:  0000", 0, true },
	{ "^(?:RIP|RSP|FS)\\b:?", "GS:  0000", 0, false },
	{ "^\\s*<(?:TASK|IRQ)>", "   <TASK>", 0, true },
	{ "^\\s*<(?:TASK|IRQ)>", "<IRQ>", 0, true },
	{ "^\\s*<(?:TASK|IRQ)>", "x <IRQ>", 0, false },
	{ "(?i)^kernel panic", "KERNEL PANIC", 0, true },
	{ "(?i)^kernel panic", "kernel panic", 0, true },
	{ "^Kernel panic", "kernel panic", 0, false },
	{ "^(?:Out of memory: )?Killed process [0-9]+", "Killed process 12", 0, true },
	{ "^(?:Out of memory: )?Killed process [0-9]+", "Out of memory: Killed process 12", 0, true },
	{ "^a*", "", 0, true },
	{ "^a*b", "b", 0, true },
	{ "\\Gabc", "xxabc", 2, true },
	{ "\\Gabc", "xxabc", 1, false },
	{ "^\\xffz", "\xffz", 0, true },
	{ "Sending NMI", "x Sending NMI from CPU 0", 0, true },
	{ "Sending NMI", "x Sending NM", 0, false },
	{ "abc", "abcabc", 4, false },
	{ "abc", "xabcx", 1, true },
	{ "abc", "", 0, false },
	/* top-level alternations are split for existence checks */
	{ "^\\s*(?:\\[<?[0-9a-f]+>?\\]\\s*){0,2}\\? |\\(unreliable\\)\\s*$", " [<ffff>] ? f+0x1/0x2", 0, true },
	{ "^\\s*(?:\\[<?[0-9a-f]+>?\\]\\s*){0,2}\\? |\\(unreliable\\)\\s*$", "f+0x1/0x2 (unreliable)", 0, true },
	{ "^\\s*(?:\\[<?[0-9a-f]+>?\\]\\s*){0,2}\\? |\\(unreliable\\)\\s*$", " [<ffff>] f+0x1/0x2", 0, false },
	{ "(a)|b\\1", "b", 0, false },
	{ "(?i)x|y", "Y", 0, true },
	{ "[|]|z", "|", 0, true },
	{ "[[:alpha:]|]|9", "|", 0, true },
	{ "a|", "zzz", 0, true },
	{ "(?<n>a)|b", "b", 0, true },
	{ "a.c", "abc", 0, true },
	/* PCRE2 merges "oom|Out" into one caseless first unit */
	{ "oom-killer|Out of memory", "a invoked oom-killer: x", 0, true },
	{ "oom-killer|Out of memory", "Out of memory: Killed", 0, true },
	{ "abc|Abd", "xxabc", 0, true },
	{ "(?i)sending nmi", "x SENDING NMI", 0, true },
	{ "end\\)$", "(end)", 0, true },
	{ "end\\)$", "(end", 0, false },
};

static void
test_rx_prefilter(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	(void)state;
	for (size_t i = 0; i < sizeof(rx_cases) / sizeof(rx_cases[0]); i++) {
		const struct rx_case *c = &rx_cases[i];
		struct kt_rx *rx;
		long ov[2];
		print_message("rx %s on '%s'\n", c->pattern, c->subject);
		assert_int_equal(kt_rx_new(ctx, c->pattern, 0, &rx), 0);
		assert_int_equal(kt_rx_match(rx, kt_str_cstr(c->subject), c->start, ov, 1), c->match);
		if (c->match)
			assert_true(ov[0] >= (long)c->start && ov[1] >= ov[0]);
		/* existence only (may take the split path): the same answer */
		assert_int_equal(kt_rx_match(rx, kt_str_cstr(c->subject), c->start, NULL, 0), c->match);
		kt_rx_free(rx);
	}
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_normalize_wrappers_types),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_rx_prefilter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
