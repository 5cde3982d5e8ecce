/*
 * Contexts that share their compiled tables (kt_ctx_share_tables(), public
 * API only, TAP): analyzers on four such contexts, in four threads at once,
 * give every report of a directory of logs (argv[1]: tests/golden) exactly
 * as one analyzer on a context of its own does; a context that has built
 * tables, or reads another data directory, cannot share; the tables outlive
 * the context that built them. CI runs the same -j path under
 * ThreadSanitizer (ktriage analyze -j 4).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/ktriage.h>

#define THREADS 4

static int n_tests, n_failed;
static const char *dir;

static void
ok(bool cond, const char *what)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, what);
}

struct buf {
	char *p;
	size_t len, cap;
	size_t reports;
};

static void
put(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void
on_begin(void *ud, const char *unit)
{
	put(ud, "unit ");
	put(ud, unit);
	put(ud, "\n");
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	char *j = kt_render_json(r, 0);

	(void)unit;
	put(ud, j ? j : "(no json)");
	put(ud, "\n");
	((struct buf *)ud)->reports++;
	free(j);
	kt_report_free(r);
}

static void
on_end(void *ud, const char *unit, int status)
{
	(void)unit;
	put(ud, status ? "end (failed)\n" : "end\n");
}

/* Every report of `dir` analysed on ctx, as JSON lines. */
static struct buf
analyze(struct kt_ctx *ctx)
{
	struct buf b = { 0 };
	struct kt_analyze_cb cb = { on_begin, on_report, on_end, &b };
	struct kt_analyzer *a;

	put(&b, "");
	if (kt_analyzer_new(ctx, NULL, &a) != 0) {
		put(&b, "analyzer failed");
		return b;
	}
	(void)kt_analyze_path(a, dir, &cb);
	kt_analyzer_free(a);
	return b;
}

struct worker {
	pthread_t tid;
	struct kt_ctx *ctx;
	struct buf out;
};

static void *
run(void *arg)
{
	struct worker *w = arg;

	w->out = analyze(w->ctx);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct worker w[THREADS];
	struct kt_ctx *own, *late, *other;
	struct buf ref, again;
	bool same = true;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	own = kt_ctx_new();
	ref = analyze(own);
	ok(ref.reports >= 20, "the directory gives reports");

	for (int i = 0; i < THREADS; i++) {
		w[i].ctx = kt_ctx_new();
		if (i)
			ok(kt_ctx_share_tables(w[i].ctx, w[0].ctx) == 0, "a new context shares");
	}
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0)
			abort();
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].tid, NULL);
		same = same && w[i].out.len == ref.len && !memcmp(w[i].out.p, ref.p, ref.len);
	}
	ok(same, "four threads on shared tables: the reports of one context alone");

	/* own has built its tables: it cannot take others */
	ok(kt_ctx_share_tables(own, w[0].ctx) == KT_EINVAL, "a context with tables cannot share");
	other = kt_ctx_new();
	kt_ctx_set_data_dir(other, dir);
	ok(kt_ctx_share_tables(other, w[0].ctx) == KT_EINVAL,
	   "a context reading other data cannot share");
	kt_ctx_free(other);

	/* the tables live until the last context goes */
	late = kt_ctx_new();
	ok(kt_ctx_share_tables(late, w[1].ctx) == 0, "a late context shares");
	for (int i = 0; i < THREADS; i++) {
		kt_ctx_free(w[i].ctx);
		free(w[i].out.p);
	}
	again = analyze(late);
	ok(again.len == ref.len && !memcmp(again.p, ref.p, ref.len),
	   "the tables outlive the contexts that built them");
	kt_ctx_free(late);
	kt_ctx_free(own);
	free(ref.p);
	free(again.p);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
