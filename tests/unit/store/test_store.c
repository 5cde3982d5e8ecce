/* Unit tests of the crash store's library interface (include/ktriage/store.h)
 * as `ktriage serve` and the agent use it: uploads given as bytes, default
 * URLs, error codes, raw bytes back. SQLite in a temporary directory, or the
 * PostgreSQL database named by KTRIAGE_TEST_PG_URL when set (scripts/pg-test.sh).
 * Input: the repository's golden XenServer enic dmesg (tests/golden/
 * xs-enic-jumbo-dmesg/input.log). */
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
#include <ktriage/store.h>

static char dir[256];
static char url[512];
static char *input;
static size_t input_len;

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
setup(void **state)
{
	const char *src = getenv("KT_SOURCE_ROOT");
	const char *pg = getenv("KTRIAGE_TEST_PG_URL");
	char path[1024];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kt-store-unit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (pg && *pg)
		snprintf(url, sizeof(url), "%s", pg);
	else
		snprintf(url, sizeof(url), "sqlite:%s/sub/dir/store.db", dir);
	snprintf(path, sizeof(path), "%s/tests/golden/xs-enic-jumbo-dmesg/input.log", src ? src : ".");
	input = slurp(path, &input_len);
	return input ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	free(input);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_default_url(void **state)
{
	static const struct { const char *env, *xdg, *home, *want; } cases[] = {
		{ "postgresql:///x", "/xdg", "/home/u", "postgresql:///x" },
		{ "", "/xdg", "/home/u", "sqlite:/xdg/ktriage/ktriage.db" },
		{ NULL, NULL, "/home/u", "sqlite:/home/u/.local/share/ktriage/ktriage.db" },
		{ NULL, NULL, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = kt_store_default_url(cases[i].env, cases[i].xdg, cases[i].home);

		if (cases[i].want)
			assert_string_equal(got, cases[i].want);
		else
			assert_null(got);
		free(got);
	}
}

static void
test_bad_urls(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_store *s = NULL;

	(void)state;
	assert_int_equal(kt_store_open(ctx, "", NULL, &s), KT_EINVAL);
	assert_int_equal(kt_store_open(ctx, "sqlite:", NULL, &s), KT_EINVAL);
	assert_int_equal(kt_store_open(ctx, "postgresql://nobody@/none?host=/nonexistent-dir",
				       NULL, &s), KT_EDB);
	assert_null(s);
	kt_ctx_free(ctx);
}

static void
test_import_bytes(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_store *s = NULL;
	struct kt_upload_meta m = { .name = "dmesg.txt", .host = "xs01", .pool = "lab",
				    .source = "http" };
	json_t *r = NULL, *c = NULL;
	void *raw = NULL;
	size_t raw_len = 0;
	int64_t crash, upload;

	(void)state;
	assert_int_equal(kt_store_open(ctx, url, NULL, &s), 0);
	assert_int_equal(kt_store_import(s, &m, input, input_len, &r), 0);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "new");
	assert_int_equal(json_array_size(json_object_get(r, "crashes")), 1);
	c = json_array_get(json_object_get(r, "crashes"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "occurrence")), "new");
	assert_true(json_is_true(json_object_get(json_object_get(c, "issue"), "new")));
	crash = json_integer_value(json_object_get(c, "id"));
	upload = json_integer_value(json_object_get(r, "upload"));
	json_decref(r);

	/* the same bytes again: seen, the same crash, nothing new */
	assert_int_equal(kt_store_import(s, &m, input, input_len, &r), 0);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "seen");
	c = json_array_get(json_object_get(r, "crashes"), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "id")), crash);
	json_decref(r);

	/* the stored analysis names the upload, not the temporary file */
	assert_int_equal(kt_store_crash(s, crash, &r), 0);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(json_object_get(r, "report"), "source"), "file")), "dmesg.txt");
	assert_string_equal(json_string_value(json_object_get(r, "pool")), "lab");
	json_decref(r);

	/* raw is the truth: the bytes come back exactly */
	assert_int_equal(kt_store_upload_bytes(s, upload, &raw, &raw_len), 0);
	assert_int_equal(raw_len, input_len);
	assert_memory_equal(raw, input, input_len);
	free(raw);

	assert_int_equal(kt_store_issue(s, 999999, &r), KT_ENOTFOUND);
	assert_int_equal(kt_store_crash(s, 999999, &r), KT_ENOTFOUND);
	assert_int_equal(kt_store_upload_bytes(s, 999999, &raw, &raw_len), KT_ENOTFOUND);
	assert_int_equal(kt_store_set_status(s, 1, "closed", NULL, NULL, NULL), KT_EINVAL);
	assert_int_equal(kt_store_set_status(s, 1, "open", "5.10", NULL, NULL), KT_EINVAL);
	assert_int_equal(kt_store_facts(s, "xs01", NULL, "not json", 8, NULL, NULL), KT_EFORMAT);
	assert_int_equal(kt_store_facts(s, NULL, NULL, "{}", 2, NULL, NULL), KT_EINVAL);
	{
		struct kt_store_filter f = { .status = "weird" };

		assert_int_equal(kt_store_issues(s, &f, &r), KT_EINVAL);
	}
	/* empty and binary uploads are stored, with no crash */
	assert_int_equal(kt_store_import(s, &m, "", 0, &r), 0);
	assert_int_equal(json_array_size(json_object_get(r, "crashes")), 0);
	json_decref(r);
	assert_int_equal(kt_store_import(s, &m, "\x00\x01\xff\xfe", 4, &r), 0);
	assert_int_equal(json_array_size(json_object_get(r, "crashes")), 0);
	json_decref(r);
	kt_store_close(s);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_url),
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_import_bytes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
