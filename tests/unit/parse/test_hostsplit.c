/* Unit tests: parse/hostsplit, a central syslog's hosts cut apart (lines
 * written here in RFC 3164 form, two or three hosts interleaved). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/error.h>
#include <ktriage/report.h>

#include "normalize/normalize.h"
#include "parse/hostsplit.h"

static const char *const lines[] = {
	"Nov 23 09:26:01 web-1 kernel: [  100.000001] BUG: unable to handle kernel NULL pointer dereference at 0000000000000010",
	"Nov 23 09:26:01 db-2 kernel: [ 5000.100000] BUG: unable to handle kernel paging request at ffffc90000123000",
	"Nov 23 09:26:01 web-1 kernel: [  100.000002] Oops: 0000 [#1] SMP",
	"Nov 23 09:26:01 db-2 kernel: [ 5000.100001] Oops: 0002 [#1] SMP",
	"Nov 23 09:26:01 web-1 kernel: [  100.000003] RIP: 0010:web_xmit+0x10/0x20 [webdrv]",
	"Nov 23 09:26:01 db-2 kernel: [ 5000.100002] RIP: 0010:db_flush+0x16/0x90 [dbdrv]",
	"Nov 23 09:26:01 web-1 kernel: [  100.000004] ---[ end trace 1111111111111111 ]---",
	"Nov 23 09:26:01 db-2 kernel: [ 5000.100003] ---[ end trace 2222222222222222 ]---",
	"Nov 23 09:26:02 app-3 kernel: [   70.000000] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008",
	"Nov 23 09:26:02 app-3 kernel: [   70.000001] ---[ end trace 3333333333333333 ]---",
};

static size_t
run(size_t max, char hosts[][16], size_t *dropped)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_normalizer *n = kt_normalizer_new();
	struct kt_hostsplit *h = kt_hostsplit_new(ctx, "syslog");
	struct kt_report *r;
	struct kt_line l;
	size_t got = 0;

	assert_non_null(h);
	kt_hostsplit_set_max_reports(h, max);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		kt_normalize(n, kt_str_make(lines[i], strlen(lines[i])), (uint32_t)i + 1, &l);
		kt_hostsplit_feed(h, &l);
	}
	kt_hostsplit_end(h);
	while ((r = kt_hostsplit_take(h)) != NULL) {
		assert_non_null(r->source.host);
		snprintf(hosts[got++], 16, "%s", r->source.host);
		kt_report_free(r);
	}
	assert_int_equal(kt_hostsplit_hosts(h), 3);
	*dropped = kt_hostsplit_dropped(h);
	kt_hostsplit_free(h);
	kt_normalizer_free(n);
	kt_ctx_free(ctx);
	return got;
}

/* A dmesg whose last report is still open, then syslog lines of a host
 * (two files concatenated): the hostless report is finished at the
 * switch, not held until the end of the input. */
static void
test_hostless_then_host(void **state)
{
	static const char *const mixed[] = {
		"[  100.000001] BUG: kernel NULL pointer dereference, address: 0000000000000008",
		"[  100.000002] Oops: 0000 [#1] SMP",
		"[  100.000003] RIP: 0010:qux_probe+0x1c/0x90 [qux]",
		"[  100.000004] RSP: 0018:ffffb1c0c0e7bb28 EFLAGS: 00010246",
		"Dec  5 10:00:00 node1 systemd[1]: Started foo.service.",
		"Dec  5 10:00:01 node1 kernel: [  200.000000] e1000e: eth0 NIC Link is Up",
	};
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_normalizer *n = kt_normalizer_new();
	struct kt_hostsplit *h = kt_hostsplit_new(ctx, "mixed");
	struct kt_report *r;
	struct kt_line l;

	(void)state;
	assert_non_null(h);
	for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++) {
		kt_normalize(n, kt_str_make(mixed[i], strlen(mixed[i])), (uint32_t)i + 1, &l);
		kt_hostsplit_feed(h, &l);
		if (i == 3) {
			assert_false(kt_hostsplit_idle(h));
			assert_null(kt_hostsplit_take(h));
		}
	}
	/* before the end of the input */
	r = kt_hostsplit_take(h);
	assert_non_null(r);
	assert_null(r->source.host);
	assert_int_equal(r->source.first_line, 1);
	assert_int_equal(r->source.last_line, 4);
	kt_report_free(r);
	assert_true(kt_hostsplit_idle(h));
	kt_hostsplit_end(h);
	assert_null(kt_hostsplit_take(h));
	assert_int_equal(kt_hostsplit_hosts(h), 1);
	kt_hostsplit_free(h);
	kt_normalizer_free(n);
	kt_ctx_free(ctx);
}

static void
test_split(void **state)
{
	char hosts[8][16];
	size_t dropped;
	bool web = false, db = false, app = false;

	(void)state;
	assert_int_equal(run(0, hosts, &dropped), 3);
	assert_int_equal(dropped, 0);
	for (int i = 0; i < 3; i++) {
		web |= strcmp(hosts[i], "web-1") == 0;
		db |= strcmp(hosts[i], "db-2") == 0;
		app |= strcmp(hosts[i], "app-3") == 0;
	}
	assert_true(web && db && app);
	assert_int_equal(run(2, hosts, &dropped), 2);
	assert_int_equal(dropped, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_hostless_then_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
