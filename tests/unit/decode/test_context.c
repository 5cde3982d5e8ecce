/* Unit tests: execution-context decisions (context.c), table-driven. Each
 * row describes a report by its frames ("func" reliable, "?func" unreliable,
 * with a stack section), comm/pid, panic, EFLAGS and header. */
#include "helpers.h"

static struct kt_decode_tables tables;

static int
setup(void **state)
{
	(void)state;
	return kt_decode_tables_load(NULL, &tables);
}

static int
teardown(void **state)
{
	(void)state;
	kt_decode_tables_deinit(&tables);
	return 0;
}

#define MAXF 8

struct ctx_case {
	const char *name;
	enum kt_kind kind;
	const char *frames[MAXF];	/* "?" prefix = unreliable */
	enum kt_stack stacks[MAXF];	/* per frame; 0 = KT_STACK_NONE */
	const char *comm;
	int pid;
	const char *panic;
	uint64_t eflags;		/* 0 = no EFLAGS register */
	const char *header;
	const char *line;		/* one report line, or NULL */
	enum kt_context want;
	const char *why;		/* substring of context_why, or NULL */
};

#define I KT_STACK_IRQ
#define T KT_STACK_TASK
#define N KT_STACK_NMI

static const struct ctx_case cases[] = {
	{ "seed: softirq under net_rx_action on the IRQ stack", KT_KIND_PAGING_REQUEST,
	  { "?skb_copy_bits", "ip_fragment", "?handle_edge_irq", "net_rx_action", "__do_softirq",
	    "irq_exit", "?default_idle" }, { I, I, I, I, I, I, T }, "swapper/4", 0,
	  "Fatal exception in interrupt", 0x10286, NULL, NULL, KT_CONTEXT_SOFTIRQ, "net_rx_action" },
	{ "hard irq handler on the IRQ stack", KT_KIND_NULL_DEREF,
	  { "e1000_intr", "__handle_irq_event_percpu", "handle_irq_event", "handle_edge_irq",
	    "do_IRQ", "ret_from_intr" }, { I, I, I, I, I, T }, "bash", 1234, NULL, 0x46, NULL, NULL,
	  KT_CONTEXT_HARDIRQ, "__handle_irq_event_percpu" },
	{ "unreliable softirq frame does not count", KT_KIND_NULL_DEREF,
	  { "foo_intr", "?__do_softirq", "handle_irq_event" }, { I, I, I }, NULL, -1, NULL, 0,
	  NULL, NULL, KT_CONTEXT_HARDIRQ, "handle_irq_event" },
	{ "IRQ stack without known frames is still hard irq", KT_KIND_NULL_DEREF,
	  { "foo", "bar" }, { I, I }, NULL, -1, NULL, 0, NULL, NULL, KT_CONTEXT_HARDIRQ, "<IRQ>" },
	{ "NMI stack", KT_KIND_WARNING, { "perf_event_overflow", "x86_pmu_handle_irq" },
	  { N, N }, NULL, -1, NULL, 0, NULL, NULL, KT_CONTEXT_NMI, "<NMI>" },
	{ "NMI frames without markers", KT_KIND_WARNING,
	  { "foo", "nmi_handle", "default_do_nmi", "do_nmi" }, { 0 }, NULL, -1, NULL, 0, NULL,
	  NULL, KT_CONTEXT_NMI, "nmi_handle" },
	{ "old trace without markers: softirq first", KT_KIND_PAGING_REQUEST,
	  { "memcpy", "tcp_v4_rcv", "net_rx_action.cold", "__do_softirq", "irq_exit" }, { 0 },
	  NULL, -1, NULL, 0, NULL, NULL, KT_CONTEXT_SOFTIRQ, "net_rx_action.cold" },
	{ "old trace without markers: hardirq first", KT_KIND_PAGING_REQUEST,
	  { "foo", "handle_irq_event_percpu", "__do_softirq", "irq_exit" }, { 0 }, NULL, -1,
	  NULL, 0, NULL, NULL, KT_CONTEXT_HARDIRQ, NULL },
	{ "sysvec glob", KT_KIND_GPF, { "foo", "__sysvec_apic_timer_interrupt",
	  "asm_sysvec_apic_timer_interrupt" }, { 0 }, NULL, -1, NULL, 0, NULL, NULL,
	  KT_CONTEXT_HARDIRQ, "__sysvec_apic_timer_interrupt" },
	{ "syscall task", KT_KIND_NULL_DEREF,
	  { "ext4_foo", "vfs_write", "do_syscall_64", "entry_SYSCALL_64_after_hwframe" },
	  { T, T, T, T }, "cat", 99, "Fatal exception", 0x10246, NULL, NULL, KT_CONTEXT_TASK,
	  "do_syscall_64" },
	{ "workqueue without entry frames", KT_KIND_WARNING, { "foo", "bar" }, { T, T },
	  "kworker/0:1", 12, NULL, 0, NULL, NULL, KT_CONTEXT_TASK, "no interrupt" },
	{ "no frames, panic in interrupt, IF set: softirq guess", KT_KIND_PANIC, { NULL }, { 0 },
	  NULL, -1, "Fatal exception in interrupt", 0x10246, NULL, NULL, KT_CONTEXT_SOFTIRQ,
	  "guessed" },
	{ "no frames, panic in interrupt, IF clear: hardirq guess", KT_KIND_PANIC, { NULL },
	  { 0 }, NULL, -1, "Fatal exception in interrupt", 0x10046, NULL, NULL,
	  KT_CONTEXT_HARDIRQ, "EFLAGS.IF clear" },
	{ "no frames, panic in interrupt, no EFLAGS: unknown but explained", KT_KIND_PANIC,
	  { NULL }, { 0 }, NULL, -1, "Fatal exception in interrupt", 0, NULL, NULL,
	  KT_CONTEXT_UNKNOWN, "unknown kind" },
	{ "nothing known", KT_KIND_OTHER, { NULL }, { 0 }, NULL, -1, NULL, 0, NULL, NULL,
	  KT_CONTEXT_UNKNOWN, NULL },
	{ "Xen hypervisor crash", KT_KIND_XEN_CRASH, { "foo" }, { 0 }, NULL, -1, NULL, 0, NULL,
	  NULL, KT_CONTEXT_HYPERVISOR, "hypervisor" },
	{ "scheduling while atomic in hardirq", KT_KIND_ATOMIC_SLEEP, { "schedule" }, { T },
	  NULL, -1, NULL, 0, "BUG: scheduling while atomic: swapper/0/0/0x00010002", NULL,
	  KT_CONTEXT_HARDIRQ, "hardirq" },
	{ "scheduling while atomic, BH disabled task", KT_KIND_ATOMIC_SLEEP, { "schedule" },
	  { T }, NULL, -1, NULL, 0, "BUG: scheduling while atomic: syz-executor.4/21395/0x00000201",
	  NULL, KT_CONTEXT_TASK, "bottom halves disabled" },
	{ "sleeping function in softirq", KT_KIND_ATOMIC_SLEEP, { "__might_sleep" }, { T },
	  NULL, -1, NULL, 0, "BUG: sleeping function called from invalid context at mm/slab.h:1",
	  "preempt_count: 101, expected: 0", KT_CONTEXT_SOFTIRQ, "softirq" },
	{ "soft lockup: the stalled task below the timer interrupt", KT_KIND_SOFT_LOCKUP,
	  { "hrtimer_interrupt", "__sysvec_apic_timer_interrupt", "spin_loop", "do_syscall_64" },
	  { I, I, T, T }, NULL, -1, NULL, 0, NULL, NULL, KT_CONTEXT_TASK, "watchdog" },
	{ "rcu stall: stalled softirq below the timer interrupt", KT_KIND_RCU_STALL,
	  { "rcu_sched_clock_irq", "hrtimer_interrupt", "ip_rcv", "net_rx_action", "__do_softirq",
	    "irq_exit_rcu" }, { I, I, T, T, T, T }, NULL, -1, NULL, 0, NULL, NULL,
	  KT_CONTEXT_SOFTIRQ, "net_rx_action" },
	{ "rcu stall with only the detector's frames", KT_KIND_RCU_STALL,
	  { "rcu_sched_clock_irq", "hrtimer_interrupt" }, { I, I }, NULL, -1, NULL, 0, NULL, NULL,
	  KT_CONTEXT_HARDIRQ, "hrtimer_interrupt" },
	{ "need-resched bit is ignored", KT_KIND_ATOMIC_SLEEP, { "schedule" }, { T }, NULL, -1,
	  NULL, 0, "BUG: scheduling while atomic: a/1/0x80000002", NULL, KT_CONTEXT_TASK,
	  "preemption disabled" },
};

static struct kt_report *
make(const struct ctx_case *c)
{
	struct kt_report *r = kt_report_new();

	r->kind = c->kind;
	r->arch = KT_ARCH_X86_64;
	for (size_t i = 0; i < MAXF && c->frames[i]; i++) {
		bool rel = c->frames[i][0] != '?';

		t_frame(r, c->frames[i] + !rel, rel, c->stacks[i]);
	}
	r->comm = c->comm;
	r->pid = c->pid;
	r->panic = c->panic;
	if (c->eflags)
		t_reg(r, "EFLAGS", c->eflags);
	r->header = c->header;
	if (c->line) {
		r->lines = kt_report_alloc(r, sizeof(*r->lines));
		r->lines[0] = c->line;
		r->n_lines = 1;
	}
	return r;
}

static void
test_context_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = make(&cases[i]);

		kt_decode_context(r, &tables.ctx_frames);
		if (r->context != cases[i].want) {
			print_error("case '%s': got %s, want %s (why: %s)\n", cases[i].name,
				    kt_context_name(r->context), kt_context_name(cases[i].want),
				    r->context_why ? r->context_why : "(none)");
			fail();
		}
		if (cases[i].why && (!r->context_why || !strstr(r->context_why, cases[i].why))) {
			print_error("case '%s': why '%s' lacks '%s'\n", cases[i].name,
				    r->context_why ? r->context_why : "(none)", cases[i].why);
			fail();
		}
		kt_report_free(r);
	}
}

static void
test_context_of_function(void **state)
{
	const struct kt_dtable *t = &tables.ctx_frames;

	(void)state;
	assert_string_equal(kt_context_of_function(t, "net_rx_action"), "softirq");
	assert_string_equal(kt_context_of_function(t, "__do_softirq.cold"), "softirq");
	assert_string_equal(kt_context_of_function(t, "asm_sysvec_reschedule_ipi"), "hardirq");
	assert_string_equal(kt_context_of_function(t, "nmi_handle"), "nmi");
	assert_string_equal(kt_context_of_function(t, "kthread"), "task");
	assert_null(kt_context_of_function(t, "net_rx"));
	assert_null(kt_context_of_function(t, "sysvec"));	/* glob needs the prefix */
	assert_null(kt_context_of_function(t, NULL));
	assert_null(kt_context_of_function(t, ""));
}

/* The idle task and the Xen PV kernel are explained. */
static void
test_context_side_evidence(void **state)
{
	struct kt_report *r = make(&cases[0]);

	(void)state;
	r->ip.segment = "e030";
	kt_decode_context(r, &tables.ctx_frames);
	assert_non_null(strstr(r->context_why, "idle task swapper/4"));
	assert_non_null(strstr(r->context_why, "Xen PV"));
	assert_non_null(strstr(r->context_why, "Fatal exception in interrupt"));
	kt_report_free(r);
}

/* Only the Xen guest-state stack scan: context from it. */
static void
test_context_xen_scan(void **state)
{
	static const char *const scan[] = { "xen_hypercall_kexec_op", "panic", "oops_end",
					    "no_context", "page_fault", "memcpy", "ip_fragment",
					    "net_rx_action", "__do_softirq", "irq_exit" };
	struct kt_report *r = kt_report_new();

	(void)state;
	r->kind = KT_KIND_PAGING_REQUEST;
	r->xen.present = true;
	r->xen.frames = kt_report_alloc(r, sizeof(scan) / sizeof(scan[0]) * sizeof(struct kt_frame));
	for (size_t i = 0; i < sizeof(scan) / sizeof(scan[0]); i++) {
		r->xen.frames[i].function = scan[i];
		r->xen.frames[i].reliable = false;
	}
	r->xen.n_frames = sizeof(scan) / sizeof(scan[0]);
	kt_decode_context(r, &tables.ctx_frames);
	assert_int_equal(r->context, KT_CONTEXT_SOFTIRQ);
	assert_non_null(strstr(r->context_why, "Xen's guest-state"));
	kt_report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_context_cases),
		cmocka_unit_test(test_context_of_function),
		cmocka_unit_test(test_context_side_evidence),
		cmocka_unit_test(test_context_xen_scan),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
