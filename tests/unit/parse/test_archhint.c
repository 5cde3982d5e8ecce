/* Unit tests: parse/archhint, the architecture of a report without a
 * register dump from its frames (data/parse/arch.txt). Reports are written
 * here and go through kt_fields_extract() as the parser hands them over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ktriage/error.h>

#include "parse/archhint.h"
#include "parse/fields.h"
#include "report_helper.h"

static const struct {
	const char *text;
	enum kt_arch want;
} cases[] = {
	/* entry-code names decide */
	{ "INFO: task a:1 blocked for more than 120 seconds.\nCall Trace:\n"
	  " schedule+0x1/0x2\n do_el0_svc+0x30/0x90\n el0t_64_sync+0x1a4/0x1a8\n", KT_ARCH_ARM64 },
	{ "INFO: task a:1 blocked for more than 120 seconds.\nCall Trace:\n"
	  " [<c15d1a98>] schedule+0x32/0x80\n [<c15d6b89>] sysenter_past_esp+0x40/0x6a\n",
	  KT_ARCH_I386 },
	{ "WARNING: possible circular locking dependency detected\nCall Trace:\n"
	  " lock_acquire+0xd3/0x2f0\n __x64_sys_ioctl+0x8e/0xd0\n do_syscall_64+0x3b/0x90\n"
	  " entry_SYSCALL_64_after_hwframe+0x63/0xcd\n", KT_ARCH_X86_64 },
	/* ppc64 ELFv1 dot names */
	{ "BUG: x\nCall Trace:\n[c0000000bb1c3e30] [c0000000000085b4] .system_call_common+0x0/0x40\n",
	  KT_ARCH_PPC64 },
	/* addresses only: x86_64 text, 8-digit 32-bit, 16-digit small (hashed) */
	{ "INFO: task a:1 blocked\nCall Trace:\n [<ffffffffbb0be4e5>] sched_show_task+0xfa/0x107\n",
	  KT_ARCH_X86_64 },
	{ "INFO: task a:1 blocked\nCall Trace:\n [<b1351f32>] dump_stack+0x16/0x18\n"
	  " [<b1121980>] dump_header+0x3d/0x2c6\n", KT_ARCH_I386 },
	{ "INFO: task a:1 blocked\nCall Trace:\n [<000000007bd3a0ac>] dump_stack+0x16/0x18\n",
	  KT_ARCH_UNKNOWN },
	/* nothing to go by */
	{ "INFO: task a:1 blocked\nCall Trace:\n schedule+0x1/0x2\n", KT_ARCH_UNKNOWN },
};

static void
test_cases(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_archhint *h = NULL;

	(void)state;
	assert_int_equal(kt_archhint_new(ctx, &h), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = report_from_text(cases[i].text);

		kt_fields_extract(r);
		if (kt_archhint_guess(h, r) != cases[i].want)
			fail_msg("case %zu: got %s, want %s", i, kt_arch_name(kt_archhint_guess(h, r)),
				 kt_arch_name(cases[i].want));
		kt_report_free(r);
	}
	kt_archhint_free(h);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
