/* Unit tests: symbolization with libdw. At test time a small C file with an
 * always-inlined function is compiled with `cc -g -O2`, as a non-PIE
 * executable standing in for vmlinux and as a relocatable object standing in
 * for a module .ko; frames "outer+0xNN" must resolve to file:line with the
 * inlined function inserted before them. Skips when no C compiler is there. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "decode/decode.h"

/* Line numbers below are those of the generated source (count from 1). */
static const char prog_src[] =
	"volatile int g;\n"						/* 1 */
	"static inline __attribute__((always_inline)) int inner(int x)\n" /* 2 */
	"{\n"								/* 3 */
	"\tg += x * 3;\n"						/* 4 */
	"\treturn g * 7;\n"						/* 5 */
	"}\n"								/* 6 */
	"__attribute__((noinline)) int outer(int x)\n"			/* 7 */
	"{\n"								/* 8 */
	"\tint y = inner(x);\n"						/* 9 */
	"\treturn y + g;\n"						/* 10 */
	"}\n"								/* 11 */
	"int main(void) { return outer(2); }\n";			/* 12 */

#define LINE_INNER_LO 4
#define LINE_INNER_HI 5
#define LINE_CALL 9

static char dir[64];

static int
setup(void **state)
{
	char cmd[512];
	FILE *f;

	(void)state;
	(void)snprintf(dir, sizeof(dir), "/tmp/kt-decode-sym-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	(void)snprintf(cmd, sizeof(cmd), "%s/prog.c", dir);
	f = fopen(cmd, "w");
	if (!f)
		return -1;
	(void)fputs(prog_src, f);
	(void)fclose(f);
	(void)snprintf(cmd, sizeof(cmd),
		       "cd %s && mkdir -p mods/kernel/net && cc -g -O2 -no-pie -fno-pie -o prog prog.c 2>/dev/null && "
		       "cc -g -O2 -c -o mods/kernel/net/my-mod.ko prog.c 2>/dev/null", dir);
	if (system(cmd) != 0)
		dir[0] = '\0';	/* no compiler: tests skip */
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (strncmp(dir, "/tmp/kt-decode-sym-", 19) == 0) {
		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)system(cmd);
	}
	return 0;
}

/* Try outer+0..0x80 until an address inside the inlined body is found;
 * check the inline chain there. */
static void
check_inline(const char *module, const struct kt_decode_opts *o)
{
	bool seen_inline = false;

	for (uint64_t off = 0; off < 0x80 && !seen_inline; off++) {
		struct kt_report *r = kt_report_new();
		struct kt_frame *f = t_frame(r, "outer", true, KT_STACK_TASK);
		int rc;

		f->offset = off;
		f->has_offset = true;
		f->module = module;
		r->ip.present = true;
		r->ip.function = "outer";
		r->ip.offset = off;
		rc = kt_symbolize(NULL, r, o);
		assert_int_equal(rc, 0);
		if (r->n_frames == 2) {
			assert_true(r->frames[0].inlined);
			assert_string_equal(r->frames[0].function, "inner");
			assert_non_null(strstr(r->frames[0].file, "prog.c"));
			assert_in_range(r->frames[0].line_no, LINE_INNER_LO, LINE_INNER_HI);
			assert_false(r->frames[1].inlined);
			assert_string_equal(r->frames[1].function, "outer");
			assert_int_equal(r->frames[1].line_no, LINE_CALL);
			assert_int_equal(r->frames[1].offset, off);
			seen_inline = true;
			/* again: already symbolized, nothing is added twice */
			assert_int_equal(kt_symbolize(NULL, r, o), 0);
			assert_int_equal(r->n_frames, 2);
		} else {
			assert_int_equal(r->n_frames, 1);
			if (r->frames[0].file) {
				assert_non_null(strstr(r->frames[0].file, "prog.c"));
				assert_in_range(r->frames[0].line_no, 7, 11);
			}
		}
		kt_report_free(r);
	}
	assert_true(seen_inline);
}

static void
test_vmlinux_inline(void **state)
{
	char path[128];
	struct kt_decode_opts o = { 0 };

	(void)state;
	if (!dir[0])
		skip();
	(void)snprintf(path, sizeof(path), "%s/prog", dir);
	o.vmlinux = path;
	check_inline(NULL, &o);
}

static void
test_module_inline(void **state)
{
	char path[128];
	struct kt_decode_opts o = { 0 };

	(void)state;
	if (!dir[0])
		skip();
	(void)snprintf(path, sizeof(path), "%s/mods", dir);
	o.modules_dir = path;
	check_inline("my_mod", &o);	/* "my_mod" finds my-mod.ko, as modprobe would */
}

/* A bare address (no symbol printed) is named from vmlinux's symbols, then
 * resolved to a line like any other frame. The address comes from nm. */
static void
test_vmlinux_bare_address(void **state)
{
	char path[128], cmd[256];
	struct kt_decode_opts o = { 0 };
	struct kt_report *r;
	unsigned long long addr = 0;
	FILE *p;

	(void)state;
	if (!dir[0])
		skip();
	(void)snprintf(path, sizeof(path), "%s/prog", dir);
	(void)snprintf(cmd, sizeof(cmd), "nm '%s' 2>/dev/null | grep ' T outer$'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fscanf(p, "%llx", &addr) != 1)
		addr = 0;
	(void)pclose(p);
	if (!addr)
		skip();	/* no nm */
	o.vmlinux = path;
	r = kt_report_new();
	t_frame(r, NULL, true, KT_STACK_TASK)->address = addr + 1;
	assert_int_equal(kt_symbolize(NULL, r, &o), 0);
	assert_non_null(r->frames[r->n_frames - 1].function);
	assert_string_equal(r->frames[r->n_frames - 1].function, "outer");
	assert_int_equal(r->frames[r->n_frames - 1].offset, 1);
	assert_non_null(r->frames[r->n_frames - 1].file);
	kt_report_free(r);
}

static void
test_missing_files(void **state)
{
	struct kt_report *r = kt_report_new();
	struct kt_decode_opts o = { .vmlinux = "/nonexistent/vmlinux" };
	struct kt_ctx *ctx = kt_ctx_new();

	(void)state;
	t_frame(r, "outer", true, KT_STACK_TASK)->offset = 4;
	assert_int_equal(kt_symbolize(ctx, r, &o), KT_ENOTFOUND);
	assert_non_null(strstr(kt_ctx_errmsg(ctx), "/nonexistent/vmlinux"));
	assert_int_equal(r->n_frames, 1);
	assert_null(r->frames[0].file);
	o.vmlinux = NULL;
	o.modules_dir = "/nonexistent/modules";
	assert_int_equal(kt_symbolize(ctx, r, &o), KT_ENOTFOUND);
	assert_non_null(strstr(kt_ctx_errmsg(ctx), "/nonexistent/modules"));
	o.modules_dir = NULL;
	o.system_map = "/nonexistent/System.map";
	assert_int_equal(kt_symbolize(ctx, r, &o), KT_ENOTFOUND);
	kt_ctx_free(ctx);
	kt_report_free(r);
}

static void
test_not_elf(void **state)
{
	struct kt_report *r = kt_report_new();
	struct kt_decode_opts o = { .vmlinux = "/etc/hostname" };

	(void)state;
	if (access(o.vmlinux, R_OK) != 0)
		o.vmlinux = "/etc/passwd";
	t_frame(r, "outer", true, KT_STACK_TASK)->offset = 4;
	assert_int_equal(kt_symbolize(NULL, r, &o), KT_EFORMAT);
	assert_null(r->frames[0].file);
	kt_report_free(r);
}

static void
test_system_map(void **state)
{
	char path[128];
	FILE *f;
	struct kt_report *r = kt_report_new();
	struct kt_decode_opts o = { 0 };
	struct kt_frame *a, *b, *c;

	(void)state;
	if (!dir[0])
		skip();
	(void)snprintf(path, sizeof(path), "%s/System.map", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	(void)fputs("ffffffff81000000 T _text\n"
		    "ffffffff81486000 D some_data\n"
		    "ffffffff81485e40 T ip_fragment\n"
		    "ffffffff814865a0 t ip_finish_output2\n"
		    "garbage line\n", f);
	(void)fclose(f);
	o.system_map = path;
	a = t_frame(r, NULL, true, KT_STACK_TASK);
	a->address = 0xffffffff81486461ull;
	b = t_frame(r, "named", true, KT_STACK_TASK);
	b->address = 0xffffffff81486461ull;
	c = t_frame(r, NULL, true, KT_STACK_TASK);
	c->address = 0x1000;	/* below every symbol */
	assert_int_equal(kt_symbolize(NULL, r, &o), 0);
	assert_string_equal(r->frames[0].function, "ip_fragment");
	assert_int_equal(r->frames[0].offset, 0x621);
	assert_int_equal(r->frames[0].size, 0x760);
	assert_string_equal(r->frames[1].function, "named");
	assert_null(r->frames[2].function);

	/* KASLR: "Kernel Offset: 0x6000000 from 0xffffffff81000000" */
	r->kernel_offset = "0x6000000 from 0xffffffff81000000 (relocation range: ...)";
	c->address = 0xffffffff87486461ull;
	assert_int_equal(kt_symbolize(NULL, r, &o), 0);
	assert_string_equal(r->frames[2].function, "ip_fragment");
	assert_int_equal(r->frames[2].offset, 0x621);
	kt_report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmlinux_inline),
		cmocka_unit_test(test_module_inline),
		cmocka_unit_test(test_vmlinux_bare_address),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_system_map),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
