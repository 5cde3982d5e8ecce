/*
 * Unit tests: the host side (src/host/, src/render/summary.c): /dev/kmsg
 * records (linux Documentation/ABI/testing/dev-kmsg), a saved kmsg copy followed (continuation, escapes, sequence
 * gaps), streams (a report out at its end marker, or at a flush), and text
 * fitted to a terminal (the verdict and summary: tests/unit/render/test_summary.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktriage/ktriage.h>

static void
test_kmsg_parse(void **state)
{
	static const char rec[] = "6,1234,5678901,-,caller=T1;usb 1-1: new device\n SUBSYSTEM=usb\n";
	struct kt_kmsg_record r;

	(void)state;
	assert_int_equal(kt_kmsg_parse(rec, sizeof(rec) - 1, &r), 0);
	assert_int_equal(r.level, 6);
	assert_int_equal(r.facility, 0);
	assert_int_equal(r.seq, 1234);
	assert_int_equal(r.ts_usec, 5678901);
	assert_int_equal(r.flag, '-');
	assert_int_equal(r.text_len, strlen("usb 1-1: new device"));
	assert_memory_equal(r.text, "usb 1-1: new device", r.text_len);
	assert_int_equal(kt_kmsg_parse("4,1,2,c;part", 12, &r), 0);
	assert_int_equal(r.flag, 'c');
	assert_int_not_equal(kt_kmsg_parse("no semicolon", 12, &r), 0);
	assert_int_not_equal(kt_kmsg_parse("x,1,2,-;t", 9, &r), 0);
	assert_int_not_equal(kt_kmsg_parse(" SUBSYSTEM=usb", 14, &r), 0);
	assert_int_not_equal(kt_kmsg_parse("1,2;t", 5, &r), 0);
}

static char *
write_tmp(const char *text)
{
	char *path = strdup("/tmp/kt-host-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_kmsg_copy_followed(void **state)
{
	char *path = write_tmp("6,10,1000000,-;first\n"
			       "4,11,2000000,c;begun \n"
			       "4,12,2000001,+;and continued\n"
			       "4,20,3000000,-;back\\x5cslash\\x0anext line\n"
			       " DEVICE=+usb:1-1\n");
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_follow *f = NULL;
	struct kt_follow_stats st;
	const char *want[] = { "[    1.000000] first", "[    2.000000] begun and continued",
			       "[    3.000000] back\\slash", "[    3.000000] next line" };
	const char *line;
	size_t len;

	(void)state;
	assert_int_equal(kt_follow_kmsg(ctx, path, true, 0, &f), 0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(kt_follow_next(f, 300, &line, &len), 1);
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(line, want[i], len);
	}
	assert_int_equal(kt_follow_next(f, 0, &line, &len), 0);
	kt_follow_get_stats(f, &st);
	assert_int_equal(st.lost, 7);	/* 13..19 */
	assert_int_equal(st.last_seq, 20);
	kt_follow_free(f);
	/* from a cursor: only what came after it */
	assert_int_equal(kt_follow_kmsg(ctx, path, true, 12, &f), 0);
	assert_int_equal(kt_follow_next(f, 300, &line, &len), 1);
	assert_memory_equal(line, "[    3.000000] back", 19);
	kt_follow_free(f);
	unlink(path);
	free(path);
	kt_ctx_free(ctx);
}

static const char *const oops[] = {
	"[ 3.0] BUG: unable to handle page fault for address: ffffc90000000000",
	"[ 3.0] #PF: supervisor read access in kernel mode",
	"[ 3.1] RIP: 0010:b_fn+0x1/0x2",
	"[ 3.2] Call Trace:",
	"[ 3.3]  b_caller+0x1/0x2",
};

static void
test_stream(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_analyze_opts o = { .no_diagnose = true };
	struct kt_analyzer *an = NULL;
	struct kt_stream *s = NULL;
	struct kt_report *r;
	const char *end = "[ 3.4] ---[ end trace 0000000000000000 ]---";

	(void)state;
	assert_int_equal(kt_analyzer_new(ctx, &o, &an), 0);
	assert_int_equal(kt_stream_new(an, "test", &s), 0);
	for (size_t i = 0; i < 5; i++)
		kt_stream_feed(s, oops[i], strlen(oops[i]));
	assert_null(kt_stream_take(s));		/* still open */
	assert_true(kt_stream_pending(s));
	kt_stream_feed(s, end, strlen(end));
	assert_true(kt_stream_ended(s));	/* only a panic may follow */
	assert_null(kt_stream_take(s));
	kt_stream_flush(s);			/* the watcher's short grace */
	r = kt_stream_take(s);
	assert_non_null(r);
	assert_string_equal(r->title, "BUG: unable to handle kernel paging request in b_fn");
	assert_true(r->bucket[0] != '\0');
	kt_report_free(r);
	/* no end marker: out at the flush (the quiet period) */
	for (size_t i = 0; i < 5; i++)
		kt_stream_feed(s, oops[i], strlen(oops[i]));
	assert_null(kt_stream_take(s));
	kt_stream_flush(s);
	r = kt_stream_take(s);
	assert_non_null(r);
	kt_report_free(r);
	assert_null(kt_stream_take(s));
	/* many reports: the stream renews its parser and goes on */
	for (int k = 0; k < 1200; k++) {	/* > KT_MAX_REPORTS */
		for (size_t i = 0; i < 5; i++)
			kt_stream_feed(s, oops[i], strlen(oops[i]));
		kt_stream_feed(s, end, strlen(end));
		kt_stream_flush(s);
		r = kt_stream_take(s);
		assert_non_null(r);
		kt_report_free(r);
	}
	kt_stream_free(s);
	kt_analyzer_free(an);
	kt_ctx_free(ctx);
}

static size_t
max_cols(const char *s)
{
	size_t best = 0, cur = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			cur = 0;
			continue;
		}
		if ((unsigned char)*s >= 0x80 && ((unsigned char)*s & 0xc0) == 0x80)
			continue;	/* UTF-8 continuation byte */
		if (++cur > best)
			best = cur;
	}
	return best;
}

static void
test_fit(void **state)
{
	char *t;

	(void)state;
	t = kt_render_fit(strdup("  evidence: one two three four five six seven eight nine ten\nshort\n"),
			  24, false);
	assert_true(max_cols(t) <= 24);
	assert_non_null(strstr(t, "\n      "));	/* continuation under the text */
	assert_non_null(strstr(t, "short\n"));
	free(t);
	t = kt_render_fit(strdup("a \xc2\xb7 b \xe2\x80\xa6 c \xe2\x86\x90 d \xf0\x9f\x98\x80\n"), 0, true);
	assert_string_equal(t, "a - b ... c <- d ?\n");
	free(t);
	/* colour escapes take no columns: this fits in 10 */
	t = kt_render_fit(strdup("\033[1mabcdefghij\033[0m\n"), 20, false);
	assert_string_equal(t, "\033[1mabcdefghij\033[0m\n");
	free(t);
	/* no space: cut inside the word, nothing lost */
	t = kt_render_fit(strdup("abcdefghijklmnopqrstuvwxyz0123456789"), 20, false);
	assert_string_equal(t, "abcdefghijklmnopqrst\n    uvwxyz0123456789");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmsg_parse),
		cmocka_unit_test(test_kmsg_copy_followed),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
