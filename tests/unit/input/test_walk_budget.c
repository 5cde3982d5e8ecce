/* Unit tests: walk's in-memory budget for archive members (this program is
 * built with walk.c and a small ARCHIVE_BUDGET, see meson.build). */
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

static int n_warn, n_units;
static size_t dom0_bytes, xen_bytes;

static void
count_diag(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	(void)ud;
	fprintf(stderr, "# diag %s %s: %s\n", kt_sev_name(sev), what, msg);
	if (sev == KT_SEV_WARN)
		n_warn++;
}

static size_t
member_bytes(struct kt_ctx *ctx, const struct kt_unit *u, enum kt_member_role role)
{
	long i = kt_unit_find(u, role);
	struct kt_input *in;
	const char *p;
	size_t len, total = 0;

	assert_true(i >= 0);
	assert_int_equal(kt_unit_open(ctx, u, (size_t)i, &in), 0);
	while (kt_input_read_block(in, &p, &len) == 1)
		total += len;
	kt_input_free(in);
	return total;
}

static int
on_unit(void *ud, const struct kt_unit *u)
{
	n_units++;
	if (!u->crash_folder) {		/* kern.log: streamed, outside the budget */
		assert_int_equal(u->n_members, 1);
		return 0;
	}
	dom0_bytes = member_bytes(ud, u, KT_ROLE_DOM0_LOG);
	xen_bytes = member_bytes(ud, u, KT_ROLE_XEN_LOG);
	return 0;
}

static void
add(struct archive *a, const char *path, char fill, size_t n)
{
	struct archive_entry *e = archive_entry_new();
	char *data = malloc(n);

	memset(data, fill, n);
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, n), (la_ssize_t)n);
	archive_entry_free(e);
	free(data);
}

static void
test_budget(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct archive *a = archive_write_new();

	(void)state;
	assert_int_equal(ARCHIVE_BUDGET, 4096);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, testfs_path("budget.tar")), ARCHIVE_OK);
	add(a, "r/var/crash/x/xen.log", 'x', 3000);
	add(a, "r/var/crash/x/dom0.log", 'd', 3000);
	add(a, "r/var/log/kern.log", 'k', 100);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);

	kt_ctx_set_diag(ctx, count_diag, NULL);
	assert_int_equal(kt_walk(ctx, testfs_path("budget.tar"), on_unit, ctx), 0);
	assert_int_equal(n_units, 2);		/* kern.log is read as it streams by */
	assert_int_equal(xen_bytes, 3000);
	assert_int_equal(dom0_bytes, 4096 - 3000);	/* cut */
	assert_int_equal(n_warn, 1);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, testfs_setup, testfs_teardown);
}
