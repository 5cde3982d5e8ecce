/* Unit tests: walk (crash folders, directories, tarballs, stdin, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include <ktriage/error.h>

#include "input/walk.h"
#include "testfs.h"

/* What the callback saw, one line per unit:
 * "DISPLAY [crash] name:role name:role ..." (display relative to the root). */
struct seen {
	char text[8192];
	size_t len;
	int units;
	int stop_after;		/* return 1 after this many units (0: never) */
	struct kt_ctx *ctx;
	char first_line[256];	/* first line of member 0 of the last unit */
};

static int
record(void *ud, const struct kt_unit *u)
{
	struct seen *s = ud;
	const char *d = u->display;
	size_t rl = strlen(testfs_root);
	struct kt_input *in;

	if (strncmp(d, testfs_root, rl) == 0)
		d += rl + (d[rl] == '/');
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s%s", d,
				   u->crash_folder ? " [crash]" : "");
	for (size_t i = 0; i < u->n_members; i++)
		s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, " %s:%s",
					   u->members[i].name,
					   kt_member_role_name(u->members[i].role));
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "\n");
	s->first_line[0] = 0;
	if (u->n_members > 0 && kt_unit_open(s->ctx, u, 0, &in) == 0) {
		struct kt_str line;
		uint32_t no;
		bool trunc;

		if (kt_input_next(in, &line, &no, &trunc) == 1)
			snprintf(s->first_line, sizeof(s->first_line), "%.*s", (int)line.len, line.p);
		kt_input_free(in);
	}
	s->units++;
	return s->stop_after && s->units >= s->stop_after ? 1 : 0;
}

static int
walk(struct kt_ctx *ctx, const char *path, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	return kt_walk(ctx, path, record, s);
}

static const char dom0_log[] =
	"[2637695.833005]  ALERT: BUG: unable to handle kernel paging request at ffff880000000000\n"
	"[2637695.833116]  ALERT: IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n";
static const char xen_log[] = "Xen version:      4.4.1-xs100346\n\n  Console Ring:\n(XEN) x\n";
static const char xca_ok[] = "INFO  Xen Crashdump Analyser version 2.5.1\nINFO  COMPLETE\n";
static const char xca_aborted[] = "INFO  Xen Crashdump Analyser version 2.5.1\nERROR Failed\n";

static void
make_crash_folder(const char *dir, const char *xca)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%s/dom0.log", dir);
	testfs_write_str(rel, dom0_log);
	snprintf(rel, sizeof(rel), "%s/xen.log", dir);
	testfs_write_str(rel, xen_log);
	snprintf(rel, sizeof(rel), "%s/xen-crashdump-analyser.log", dir);
	testfs_write_str(rel, xca);
	snprintf(rel, sizeof(rel), "%s/dmesg.kexec.log", dir);
	testfs_write_str(rel, "[    0.000000] Linux version 2.6.32\n");
	snprintf(rel, sizeof(rel), "%s/lspci-tv.out", dir);
	testfs_write_str(rel, "-[0000:00]-+-00.0\n");
	snprintf(rel, sizeof(rel), "%s/time-v.out", dir);
	testfs_write_str(rel, "Command being timed\n");
	snprintf(rel, sizeof(rel), "%s/dom1.log", dir);
	testfs_write_str(rel, "Domain 1: (2 vcpus)\n");
}

static const char crash_members[] =
	" dmesg.kexec.log:kexec-dmesg dom0.log:dom0 dom1.log:domN lspci-tv.out:lspci"
	" time-v.out:other xen-crashdump-analyser.log:xca xen.log:xen\n";

static int
check_xca(void *ud, const struct kt_unit *u)
{
	bool *complete = ud;

	if (!u->crash_folder) {
		assert_int_equal(kt_xca_complete(NULL, u, complete), KT_ENOTFOUND);
		return 0;
	}
	assert_int_equal(kt_xca_complete(NULL, u, complete), 0);
	assert_string_equal(u->members[kt_unit_find(u, KT_ROLE_DOM0_LOG)].name, "dom0.log");
	assert_string_equal(u->members[kt_unit_find(u, KT_ROLE_XEN_LOG)].name, "xen.log");
	assert_int_equal(kt_unit_find(u, KT_ROLE_COUNT), -1);
	return 0;
}

static void
test_crash_folder(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct seen s;
	char want[1024];
	bool complete = false;

	(void)state;
	make_crash_folder("var/crash/20200310-101530-UTC", xca_ok);
	make_crash_folder("var/crash/20200311-000000-UTC", xca_aborted);

	/* the folder itself */
	assert_int_equal(walk(ctx, testfs_path("var/crash/20200310-101530-UTC"), &s), 0);
	snprintf(want, sizeof(want), "var/crash/20200310-101530-UTC [crash]%s", crash_members);
	assert_string_equal(s.text, want);
	assert_string_equal(s.first_line, "[    0.000000] Linux version 2.6.32");

	/* its parent: two units, sorted */
	assert_int_equal(walk(ctx, testfs_path("var/crash"), &s), 0);
	snprintf(want, sizeof(want),
		 "var/crash/20200310-101530-UTC [crash]%svar/crash/20200311-000000-UTC [crash]%s",
		 crash_members, crash_members);
	assert_string_equal(s.text, want);

	/* xen-crashdump-analyser.log COMPLETE or not */
	assert_int_equal(kt_walk(ctx, testfs_path("var/crash/20200310-101530-UTC"), check_xca,
				 &complete), 0);
	assert_true(complete);
	assert_int_equal(kt_walk(ctx, testfs_path("var/crash/20200311-000000-UTC"), check_xca,
				 &complete), 0);
	assert_false(complete);

	/* the callback can stop the walk */
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.stop_after = 1;
	assert_int_equal(kt_walk(ctx, testfs_path("var/crash"), record, &s), 1);
	assert_int_equal(s.units, 1);
	kt_ctx_free(ctx);
}

static void
test_directory(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct seen s;
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0";
	char nul_log[80];

	(void)state;
	testfs_write_str("logs/b.log", "[    1.000000] b\n");
	testfs_write_str("logs/a.txt", "Nov 23 09:26:01 host kernel: a\n");
	testfs_write("logs/vmlinux", elf, sizeof(elf) - 1);
	testfs_write_str("logs/empty.log", "");
	testfs_write_str("logs/.hidden.log", "[    1.000000] hidden\n");
	testfs_write_str("logs/network.xml", "<xml/>\n");
	testfs_write_str("logs/sub/deeper/c", "[    1.000000] c\n");
	/* a log whose head is NUL bytes (written just before a crash) is a log */
	memset(nul_log, 0, sizeof(nul_log));
	memcpy(nul_log + 40, "[    2.000000] after nuls\n", 26);
	testfs_write("logs/nul.log", nul_log, sizeof(nul_log));
	assert_true(testfs_sh("cd '%s' && printf '[    3.000000] gz\\n' > kern.log.1 && gzip -f kern.log.1",
			      testfs_path("logs")));
	assert_int_equal(symlink("..", testfs_path("logs/sub/loop")), 0);

	assert_int_equal(walk(ctx, testfs_path("logs"), &s), 0);
	assert_string_equal(s.text,
			    "logs/a.txt a.txt:log\n"
			    "logs/b.log b.log:log\n"
			    "logs/kern.log.1.gz kern.log.1.gz:log\n"
			    "logs/nul.log nul.log:log\n"
			    "logs/sub/deeper/c c:log\n");

	/* a file named explicitly is a unit whatever it holds */
	assert_int_equal(walk(ctx, testfs_path("logs/vmlinux"), &s), 0);
	assert_string_equal(s.text, "logs/vmlinux vmlinux:log\n");
	assert_int_equal(walk(ctx, testfs_path("logs/kern.log.1.gz"), &s), 0);
	assert_string_equal(s.first_line, "[    3.000000] gz");

	/* a directory without logs */
	testfs_write_str("nologs/config.json", "{}\n");
	testfs_write("nologs/core", elf, sizeof(elf) - 1);
	testfs_mkdir("nologs/empty-dir");
	assert_int_equal(walk(ctx, testfs_path("nologs"), &s), 0);
	assert_int_equal(s.units, 0);
	kt_ctx_free(ctx);
}

static void
add_entry(struct archive *a, const char *path, const char *data)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

/* A status report: bug-report-<ts>/ with a crash folder and system logs. */
static const char *
make_tarball(const char *rel, bool bz2)
{
	const char *path = testfs_path(rel);
	struct archive *a = archive_write_new();

	if (bz2)
		assert_int_equal(archive_write_add_filter_bzip2(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	add_entry(a, "bug-report-20200310101530/inventory.xml", "<system-status-inventory/>\n");
	add_entry(a, "bug-report-20200310101530/var/log/xensource.log", "xapi log\n");
	add_entry(a, "bug-report-20200310101530/var/log/kern.log",
		  "Mar 10 10:15:00 xs1 kernel: [  100.000000] eth0: link up\n");
	add_entry(a, "bug-report-20200310101530/var/crash/20200310-101530-UTC/xen.log", xen_log);
	add_entry(a, "bug-report-20200310101530/var/crash/20200310-101530-UTC/time-v.out", "x\n");
	add_entry(a, "./bug-report-20200310101530/var/crash/20200310-101530-UTC/extra/kern.log",
		  "[    5.000000] extra\n");
	add_entry(a, "bug-report-20200310101530/var/crash/20200310-101530-UTC/dom0.log", dom0_log);
	add_entry(a, "bug-report-20200310101530/var/crash/20200310-101530-UTC/"
		  "xen-crashdump-analyser.log", xca_ok);
	add_entry(a, "bug-report-20200310101530/var/crash/20200310-101530-UTC/"
		  "xen.pcpu0.stack.log", "stack\n");
	add_entry(a, "bug-report-20200310101530/xl-dmesg.out", "(XEN) Xen version 4.4\n");
	add_entry(a, "bug-report-20200310101530/etc/xensource/network.conf", "bridge\n");
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return path;
}

static void
test_tarball(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct seen s;
	bool complete = false;

	(void)state;
	for (int bz2 = 0; bz2 < 2; bz2++) {
		const char *rel = bz2 ? "bug-report-20200310101530.tar.bz2" : "report.tar";

		make_tarball(rel, bz2);
		assert_int_equal(walk(ctx, testfs_path(rel), &s), 0);
		char want[2048];
		/* logs in archive order, read as they stream by; crash folders
		 * (whose members are kept) after the end of the archive */
		snprintf(want, sizeof(want),
			 "%s:bug-report-20200310101530/var/log/kern.log kern.log:log\n"
			 "%s:bug-report-20200310101530/var/crash/20200310-101530-UTC/extra/kern.log"
			 " kern.log:log\n"
			 "%s:bug-report-20200310101530/xl-dmesg.out xl-dmesg.out:log\n"
			 "%s:bug-report-20200310101530/var/crash/20200310-101530-UTC/ [crash]"
			 " dom0.log:dom0 xen-crashdump-analyser.log:xca xen.log:xen\n",
			 rel, rel, rel, rel);
		assert_string_equal(s.text, want);
		/* the last unit's member is readable from memory */
		assert_non_null(strstr(s.first_line, "BUG: unable to handle kernel paging"));
	}
	assert_int_equal(kt_walk(ctx, testfs_path("report.tar"), check_xca, &complete), 0);
	assert_true(complete);

	/* a directory holding a tarball walks into it */
	testfs_mkdir("reports");
	assert_int_equal(rename(testfs_path("report.tar"), testfs_path("reports/r.tar")), 0);
	assert_int_equal(walk(ctx, testfs_path("reports"), &s), 0);
	assert_int_equal(s.units, 4);

	/* a cut archive: what could be read, and a warning */
	assert_true(testfs_sh("head -c 3000 '%s' > /tmp/kt-walk-cut.tar", testfs_path("reports/r.tar")));
	assert_true(testfs_sh("mv /tmp/kt-walk-cut.tar '%s'", testfs_path("cut.tar")));
	assert_int_equal(walk(ctx, testfs_path("cut.tar"), &s), 0);

	/* a tar header that is not one: unreadable archive */
	{
		char blk[1024];

		memset(blk, 'z', sizeof(blk));
		memcpy(blk + 257, "ustar", 5);
		testfs_write("broken.tar", blk, sizeof(blk));
		assert_int_equal(walk(ctx, testfs_path("broken.tar"), &s), KT_EFORMAT);
		assert_non_null(strstr(kt_ctx_errmsg(ctx), "broken.tar"));
	}
	kt_ctx_free(ctx);
}

/* A XenCenter status report: a zip holding a host's bug-report tarball. */
static void
test_nested_archive(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct archive *a = archive_write_new();
	const char *tb = make_tarball("nested-inner.tar.bz2", true);
	static char data[1 << 16];
	FILE *f = fopen(tb, "rb");
	size_t n = fread(data, 1, sizeof(data), f);
	struct seen s;

	(void)state;
	fclose(f);
	assert_true(n > 0 && n < sizeof(data));
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, testfs_path("status-report.zip")), ARCHIVE_OK);
	add_entry(a, "XenCenter.log", "xencenter\n");
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "host1/bug-report-20200310101530.tar.bz2");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, n), (la_ssize_t)n);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);

	assert_int_equal(walk(ctx, testfs_path("status-report.zip"), &s), 0);
	assert_string_equal(s.text,
		"status-report.zip:XenCenter.log XenCenter.log:log\n"
		"status-report.zip:host1/bug-report-20200310101530.tar.bz2:bug-report-20200310101530"
		"/var/log/kern.log kern.log:log\n"
		"status-report.zip:host1/bug-report-20200310101530.tar.bz2:bug-report-20200310101530"
		"/var/crash/20200310-101530-UTC/extra/kern.log kern.log:log\n"
		"status-report.zip:host1/bug-report-20200310101530.tar.bz2:bug-report-20200310101530"
		"/xl-dmesg.out xl-dmesg.out:log\n"
		"status-report.zip:host1/bug-report-20200310101530.tar.bz2:bug-report-20200310101530"
		"/var/crash/20200310-101530-UTC/ [crash] dom0.log:dom0 xen-crashdump-analyser.log:xca"
		" xen.log:xen\n");
	kt_ctx_free(ctx);
}

/* kt_walk_split: the pieces of a directory, and walking them one by one
 * gives the units of walking the directory. */
static int
record_piece(void *ud, const char *path, unsigned flags)
{
	struct seen *s = ud;
	size_t rl = strlen(testfs_root);

	if (strncmp(path, testfs_root, rl) == 0)
		path += rl + (path[rl] == '/');
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s%s\n", path,
				   flags & KT_SPLIT_MEMBER ? " (member)" : "");
	s->units++;
	return s->stop_after && s->units >= s->stop_after ? 7 : 0;
}

struct rewalk {
	struct seen all;
	struct kt_ctx *ctx;
};

static int
walk_piece(void *ud, const char *path, unsigned flags)
{
	struct rewalk *w = ud;

	return (flags & KT_SPLIT_MEMBER) ? kt_walk_member(w->ctx, path, record, &w->all)
					 : kt_walk(w->ctx, path, record, &w->all);
}

static void
test_split(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct seen s, whole;
	struct rewalk rw = { .ctx = ctx };
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0";

	(void)state;
	testfs_write_str("split/b.log", "[    1.000000] b\n");
	testfs_write_str("split/a/kern.log", "Nov 23 09:26:01 host kernel: a\n");
	testfs_write("split/a/vmlinux", elf, sizeof(elf) - 1);
	testfs_write_str("split/a/empty.log", "");
	make_crash_folder("split/crash/2015-06-04-03-15-00", xca_ok);
	testfs_write_str("split/c/messages", "Nov 23 09:26:01 host kernel: c\n");

	memset(&s, 0, sizeof(s));
	assert_int_equal(kt_walk_split(ctx, testfs_path("split"), record_piece, &s), 0);
	/* files are pieces by name (their content is judged when walked);
	 * the binary and the empty file then give no unit */
	assert_string_equal(s.text,
			    "split/a/empty.log (member)\n"
			    "split/a/kern.log (member)\n"
			    "split/a/vmlinux (member)\n"
			    "split/b.log (member)\n"
			    "split/c/messages (member)\n"
			    "split/crash/2015-06-04-03-15-00\n");

	/* the pieces, walked in order, give the directory's units */
	assert_int_equal(walk(ctx, testfs_path("split"), &whole), 0);
	rw.all.ctx = ctx;
	assert_int_equal(kt_walk_split(ctx, testfs_path("split"), walk_piece, &rw), 0);
	assert_string_equal(rw.all.text, whole.text);
	assert_int_equal(rw.all.units, 4);

	/* a file, a crash folder, stdin and a missing path are one piece each */
	memset(&s, 0, sizeof(s));
	assert_int_equal(kt_walk_split(ctx, testfs_path("split/b.log"), record_piece, &s), 0);
	assert_int_equal(kt_walk_split(ctx, testfs_path("split/crash/2015-06-04-03-15-00"),
					record_piece, &s), 0);
	assert_int_equal(kt_walk_split(ctx, "-", record_piece, &s), 0);
	assert_int_equal(kt_walk_split(ctx, testfs_path("split/nope"), record_piece, &s), 0);
	assert_string_equal(s.text, "split/b.log\nsplit/crash/2015-06-04-03-15-00\n-\nsplit/nope\n");

	/* the callback's non-zero return stops the split */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(kt_walk_split(ctx, testfs_path("split"), record_piece, &s), 7);
	assert_int_equal(s.units, 2);
	kt_ctx_free(ctx);
}

static void
test_errors(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct seen s;

	(void)state;
	assert_int_equal(walk(ctx, testfs_path("does-not-exist"), &s), KT_ENOTFOUND);
	assert_non_null(strstr(kt_ctx_errmsg(ctx), "does-not-exist"));
	assert_int_equal(walk(ctx, NULL, &s), KT_EINVAL);

	/* "-" is standard input */
	assert_int_equal(walk(ctx, "-", &s), 0);
	assert_string_equal(s.text, "- -:log\n");
	kt_ctx_free(ctx);
}

static void
test_roles(void **state)
{
	static const struct {
		const char *name;
		enum kt_member_role role;
	} rows[] = {
		{ "xen.log", KT_ROLE_XEN_LOG },
		{ "dom0.log", KT_ROLE_DOM0_LOG },
		{ "dom12.log", KT_ROLE_DOMN_LOG },
		{ "dom0.structures.log", KT_ROLE_OTHER },
		{ "xen-crashdump-analyser.log", KT_ROLE_XCA_LOG },
		{ "dmesg.kexec.log", KT_ROLE_KEXEC_DMESG },
		{ "lspci-vvxxxx.out", KT_ROLE_LSPCI },
		{ "readelf-Wl.out", KT_ROLE_OTHER },
		{ "coredump.bin", KT_ROLE_OTHER },
		{ "xen.pcpu3.stack.log", KT_ROLE_OTHER },
		{ "kern.log", KT_ROLE_LOG },
		{ "kern.log.2.gz", KT_ROLE_LOG },
		{ "xensource.log", KT_ROLE_OTHER },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(kt_member_role_of(rows[i].name), rows[i].role);
	for (int r = 0; r < KT_ROLE_COUNT; r++) {
		const char *n = kt_member_role_name((enum kt_member_role)r);

		assert_non_null(n);
		assert_int_equal(kt_member_role_from_name(n), r);
		for (int q = 0; q < r; q++)
			assert_string_not_equal(n, kt_member_role_name((enum kt_member_role)q));
	}
	assert_int_equal(kt_member_role_from_name("nope"), KT_ROLE_COUNT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_folder),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_tarball),
		cmocka_unit_test(test_nested_archive),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_roles),
	};

	return cmocka_run_group_tests(tests, testfs_setup, testfs_teardown);
}
