/* Unit tests: normalize/journal, the `journalctl -o export` decoder fed line
 * by line as the input stage cuts lines (format:
 * https://systemd.io/JOURNAL_EXPORT_FORMATS/). Streams are written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "normalize/journal.h"
#include "normalize/normalize.h"

/* A binary field: "KEY\n", 64-bit little-endian length, data, "\n". */
static size_t
put_binary(char *at, const char *key, const char *data, size_t n)
{
	size_t k = strlen(key);

	memcpy(at, key, k);
	at[k] = '\n';
	for (int i = 0; i < 8; i++)
		at[k + 1 + i] = (char)((uint64_t)n >> (8 * i) & 0xff);
	memcpy(at + k + 9, data, n);
	at[k + 9 + n] = '\n';
	return k + 10 + n;
}

static size_t
put(char *at, const char *text)
{
	memcpy(at, text, strlen(text));
	return strlen(text);
}

/* Feed buf cut at '\n' (as kt_input_next does); collect the messages. */
static int
decode(const char *buf, size_t len, char msgs[][128], struct kt_line *lines)
{
	struct kt_jexport *jx = kt_jexport_new();
	struct kt_normalizer *n = kt_normalizer_new();
	size_t start = 0;
	int got = 0;

	assert_true(kt_jexport_sniff(kt_str_make(buf, len)));
	for (size_t i = 0; i <= len; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		if (kt_jexport_feed(jx, kt_str_make(buf + start, i - start), false)) {
			kt_normalize_jexport(n, jx, (uint32_t)got + 1, &lines[got]);
			snprintf(msgs[got], 128, "%.*s", (int)lines[got].text.len, lines[got].text.p);
			got++;
		}
		start = i + 1;
	}
	if (kt_jexport_end(jx)) {
		kt_normalize_jexport(n, jx, (uint32_t)got + 1, &lines[got]);
		snprintf(msgs[got], 128, "%.*s", (int)lines[got].text.len, lines[got].text.p);
		got++;
	}
	kt_jexport_free(jx);
	kt_normalizer_free(n);
	return got;
}

static void
test_export_entries(void **state)
{
	char buf[2048], msgs[8][128];
	struct kt_line lines[8];
	size_t n = 0;
	/* 10 bytes: the length's first byte is '\n' */
	const char ten[] = "BUG: x\ny z";
	const char nl_end[] = "ends in a newline\n";

	(void)state;
	n += put(buf + n, "__CURSOR=s=1\n__REALTIME_TIMESTAMP=1700000012345678\n"
			  "_HOSTNAME=node-3\n_TRANSPORT=kernel\nPRIORITY=4\n"
			  "_SOURCE_MONOTONIC_TIMESTAMP=12345678\n"
			  "MESSAGE=WARNING: CPU: 1 PID: 7 at x.c:1 f+0x1/0x2\n\n");
	n += put(buf + n, "__CURSOR=s=2\n_TRANSPORT=kernel\n");
	n += put_binary(buf + n, "MESSAGE", ten, sizeof(ten) - 1);
	n += put(buf + n, "\n__CURSOR=s=3\n_TRANSPORT=stdout\nSYSLOG_IDENTIFIER=app\n");
	n += put_binary(buf + n, "MESSAGE", nl_end, sizeof(nl_end) - 1);
	n += put(buf + n, "\n__CURSOR=s=4\n_TRANSPORT=kernel\n");
	/* a length no field has: skipped up to the empty line */
	memcpy(buf + n, "MESSAGE\n\x40\x00\x00\x00\x00\x01\x00\x00short\n\n", 23);
	n += 23;
	n += put(buf + n, "__CURSOR=s=5\n_TRANSPORT=kernel\nMESSAGE=no final empty line");
	assert_int_equal(decode(buf, n, msgs, lines), 4);
	assert_string_equal(msgs[0], "WARNING: CPU: 1 PID: 7 at x.c:1 f+0x1/0x2");
	assert_int_equal(lines[0].fmt, KT_FMT_JOURNAL);
	assert_true(lines[0].ts > 12.345677 && lines[0].ts < 12.345679);
	assert_int_equal(lines[0].level, 4);
	assert_true(kt_str_eq_cstr(lines[0].tag, "kernel"));
	/* the '\n' inside the data is a control character: cleaned away */
	assert_string_equal(msgs[1], "BUG: xy z");
	assert_string_equal(msgs[2], "ends in a newline");
	assert_string_equal(msgs[3], "no final empty line");
}

static void
test_not_export(void **state)
{
	(void)state;
	assert_false(kt_jexport_sniff(kt_str_make("[ 1.0] MESSAGE=x", 16)));
	assert_true(kt_jexport_sniff(kt_str_make("__REALTIME_TIMESTAMP=1", 22)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_entries),
		cmocka_unit_test(test_not_export),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
