/*
 * diagnose: the rule set. Collects rules from the embedded data/rules/, from
 * --rules directories and from text, keeps them sorted by id (a later rule
 * with the same id replaces the earlier one), and answers `rules list/show`.
 * Parsing is in rules_load.c, evaluation in match.c.
 */
#include "diagnose/diagnose.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/arena.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/str.h"

#define MAX_RULE_FILE (1u << 20)

struct kt_ruleset *
kt_ruleset_new(void)
{
	struct kt_arena *a = kt_arena_new();
	struct kt_ruleset *rs = kt_arena_alloc(a, sizeof(*rs));

	rs->arena = a;
	return rs;
}

void
kt_ruleset_free(struct kt_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n_codes; i++) {
		struct kt_pcre *p = atomic_load_explicit(&rs->codes[i]->p, memory_order_acquire);

		kt_pcre_deinit(p);
		free(p);
	}
	kt_frame_table_free(rs->frames);
	kt_litset_free(rs->line_lits);
	kt_arena_free(rs->arena);	/* rs lives in its own arena */
}

void
kt_ruleset_put(struct kt_ruleset *rs, struct kt_rule *rule)
{
	size_t lo = 0, hi = rs->n_rules;

	kt_litset_free(rs->line_lits);	/* rebuilt from the new rules on the next run */
	rs->line_lits = NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(rs->rules[mid]->id, rule->id);

		if (c == 0) {
			rs->rules[mid] = rule;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	(void)kt_arena_push(rs->arena, (void **)&rs->rules, &rs->n_rules, &rs->cap_rules,
			    sizeof(rule));
	memmove(&rs->rules[lo + 1], &rs->rules[lo], (rs->n_rules - 1 - lo) * sizeof(rule));
	rs->rules[lo] = rule;
}

/* Collects the first problem as the ctx error message. */
struct first_problem {
	char msg[1024];
	size_t n;
};

static void
keep_first(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	struct first_problem *fp = ud;

	(void)sev;
	if (fp->n++ == 0)
		(void)snprintf(fp->msg, sizeof(fp->msg), "%s: %s", what, msg);
}

int
kt_ruleset_add_text(struct kt_ctx *ctx, struct kt_ruleset *rs, const char *name,
		    const char *text, size_t len)
{
	struct first_problem fp = { .n = 0 };
	struct kt_rule **v;
	size_t n;

	if (!rs || !name || (!text && len))
		return kt_error(ctx, KT_EINVAL, "kt_ruleset_add_text: bad argument");
	if (kt_rules_parse(rs, name, text ? text : "", len, keep_first, &fp, &v, &n))
		return kt_error(ctx, KT_EFORMAT, "%s%s", fp.msg,
				fp.n > 1 ? " (and more: run 'ktriage rules check')" : "");
	for (size_t i = 0; i < n; i++)
		kt_ruleset_put(rs, v[i]);
	return 0;
}

static bool
is_rule_file(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted rule file paths of dir (or dir itself if it is a file). Free each
 * entry and the vector with free(). */
static int
list_dir(struct kt_ctx *ctx, const char *dir, struct kt_vec *out)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	kt_vec_init(out, sizeof(char *));
	if (stat(dir, &st) != 0)
		return kt_error(ctx, KT_EIO, "'%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		*(char **)kt_vec_push(out) = kt_strdup(dir);
		return 0;
	}
	d = opendir(dir);
	if (!d)
		return kt_error(ctx, KT_EIO, "'%s': %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL && out->n < 100000) {
		struct kt_buf b;

		if (!is_rule_file(e->d_name))
			continue;
		kt_buf_init(&b);
		kt_buf_printf(&b, "%s/%s", dir, e->d_name);
		*(char **)kt_vec_push(out) = b.p;
	}
	(void)closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}

static void
free_list(struct kt_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(*KT_VEC_AT(v, char *, i));
	kt_vec_deinit(v);
}

static int
read_file(struct kt_ctx *ctx, const char *path, struct kt_buf *ret)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	kt_buf_init(ret);
	if (!f)
		return kt_error(ctx, KT_EIO, "'%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		kt_buf_add(ret, chunk, n);
		if (ret->len > MAX_RULE_FILE) {
			(void)fclose(f);
			kt_buf_deinit(ret);
			return kt_error(ctx, KT_EIO, "'%s': larger than %u bytes", path,
					MAX_RULE_FILE);
		}
	}
	(void)fclose(f);
	if (!ret->p)
		kt_buf_add(ret, "", 0);
	return 0;
}

int
kt_ruleset_add_dir(struct kt_ctx *ctx, struct kt_ruleset *rs, const char *dir)
{
	struct kt_vec files;
	int rc;

	if (!rs || !dir)
		return kt_error(ctx, KT_EINVAL, "kt_ruleset_add_dir: bad argument");
	rc = list_dir(ctx, dir, &files);
	for (size_t i = 0; rc == 0 && i < files.n; i++) {
		const char *path = *KT_VEC_AT(&files, char *, i);
		struct kt_buf b;

		rc = read_file(ctx, path, &b);
		if (rc == 0)
			rc = kt_ruleset_add_text(ctx, rs, path, b.p, b.len);
		kt_buf_deinit(&b);
	}
	free_list(&files);
	return rc;
}

/* Forwards problems to the caller's callback and counts them. */
struct check {
	kt_diag_fn fn;
	void *ud;
	size_t problems;
};

static void
check_fwd(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	struct check *c = ud;

	c->problems++;
	if (c->fn)
		c->fn(c->ud, sev, what, msg);
}

int
kt_ruleset_check_dir(struct kt_ctx *ctx, const char *dir, kt_diag_fn fn, void *ud)
{
	struct check chk = { fn, ud, 0 };
	struct kt_ruleset *rs;
	struct kt_vec files;
	struct kt_rule **seen = NULL;
	size_t n_seen = 0, cap_seen = 0;
	int rc;

	if (!dir)
		return kt_error(ctx, KT_EINVAL, "kt_ruleset_check_dir: bad argument");
	rc = list_dir(ctx, dir, &files);
	if (rc) {
		kt_vec_deinit(&files);
		return rc;
	}
	rs = kt_ruleset_new();
	for (size_t i = 0; i < files.n; i++) {
		const char *path = *KT_VEC_AT(&files, char *, i);
		struct kt_rule **v;
		size_t n;
		struct kt_buf b;

		if (read_file(ctx, path, &b) != 0) {
			check_fwd(&chk, KT_SEV_ERROR, path, kt_ctx_errmsg(ctx));
			continue;
		}
		(void)kt_rules_parse(rs, path, b.p, b.len, check_fwd, &chk, &v, &n);
		kt_buf_deinit(&b);
		/* the same id in two files is a mistake in one directory */
		for (size_t j = 0; j < n; j++) {
			for (size_t k = 0; k < n_seen; k++) {
				if (strcmp(seen[k]->id, v[j]->id) != 0)
					continue;
				char where[4200], msg[512];

				(void)snprintf(where, sizeof(where), "%s:%u", path, v[j]->line);
				(void)snprintf(msg, sizeof(msg), "duplicate rule id '%s' (also in %s)",
					       v[j]->id, seen[k]->file);
				check_fwd(&chk, KT_SEV_ERROR, where, msg);
			}
			*(struct kt_rule **)kt_arena_push(rs->arena, (void **)&seen, &n_seen,
							  &cap_seen, sizeof(v[j])) = v[j];
		}
	}
	kt_ruleset_free(rs);
	free_list(&files);
	return chk.problems ? kt_error(ctx, KT_EFORMAT, "%zu problem(s) in '%s'", chk.problems, dir)
			    : 0;
}

struct builtin {
	struct kt_ctx *ctx;
	struct kt_ruleset *rs;
};

static int
add_builtin(void *ud, const char *path)
{
	struct builtin *b = ud;
	struct kt_data_blob blob;
	size_t n = strlen(path);
	int rc;

	if (!(n > 5 && !strcmp(path + n - 5, ".yaml")))
		return 0;
	/* The embedded files were parsed at build time (rules_bake.c); a
	 * --data directory may replace them, so then read the text. */
	for (size_t i = 0; !(b->ctx && b->ctx->data_dir) && i < kt_baked_rules_count; i++) {
		struct first_problem fp = { .n = 0 };
		struct kt_rule **v;
		size_t k;

		if (strcmp(kt_baked_rules[i].path, path) != 0)
			continue;
		if (kt_rules_parse_baked(b->rs, &kt_baked_rules[i], keep_first, &fp, &v, &k))
			return kt_error(b->ctx, KT_EFORMAT, "%s", fp.msg);
		for (size_t j = 0; j < k; j++)
			kt_ruleset_put(b->rs, v[j]);
		return 0;
	}
	rc = kt_data_read(b->ctx, path, &blob);
	if (rc)
		return rc;
	rc = kt_ruleset_add_text(b->ctx, b->rs, blob.origin, blob.data, blob.len);
	kt_data_blob_deinit(&blob);
	return rc;
}

int
kt_ruleset_load_builtin(struct kt_ctx *ctx, struct kt_ruleset **ret)
{
	struct builtin b = { ctx, kt_ruleset_new() };
	int rc;

	b.rs->bake = ctx ? ctx->rx_bake : NULL;
	rc = kt_data_each(ctx, "rules/", add_builtin, &b);

	if (rc) {
		kt_ruleset_free(b.rs);
		return rc;
	}
	b.rs->frames = kt_frame_table_load(ctx);
	*ret = b.rs;
	return 0;
}

static void *
builtin_build(struct kt_ctx *ctx)
{
	struct kt_ruleset *rs;

	if (kt_ruleset_load_builtin(ctx, &rs) != 0)
		return NULL;
	kt_ruleset_prepare(rs);
	return rs;
}

static void
builtin_free(void *rs)
{
	kt_ruleset_free(rs);
}

const struct kt_ruleset *
kt_ruleset_builtin_shared(struct kt_ctx *ctx)
{
	return kt_ctx_table(ctx, KT_TABLE_RULES, builtin_build, builtin_free);
}

size_t
kt_ruleset_count(const struct kt_ruleset *rs)
{
	return rs ? rs->n_rules : 0;
}

int
kt_ruleset_find(const struct kt_ruleset *rs, const char *id)
{
	for (size_t i = 0; rs && id && i < rs->n_rules; i++)
		if (!strcmp(rs->rules[i]->id, id))
			return (int)i;
	return KT_ENOTFOUND;
}

int
kt_ruleset_info(const struct kt_ruleset *rs, size_t i, struct kt_rule_info *ret)
{
	const struct kt_rule *r;

	if (!rs || i >= rs->n_rules || !ret)
		return KT_EINVAL;
	r = rs->rules[i];
	memset(ret, 0, sizeof(*ret));
	ret->id = r->id;
	ret->title = r->title;
	ret->severity = r->severity;
	ret->file = r->file;
	ret->explanation = r->explanation;
	ret->conditions = r->cond_text;
	ret->n_conditions = r->n_conds;
	ret->confidence = r->conf_text;
	ret->n_confidence = r->n_combos;
	ret->remedy = r->remedy;
	ret->n_remedy = r->n_remedy;
	ret->references = r->references;
	ret->n_references = r->n_references;
	return 0;
}

struct check_builtin {
	struct kt_ctx *ctx;
	struct kt_ruleset *rs;
	struct check *chk;
};

static int
check_one_builtin(void *ud, const char *path)
{
	struct check_builtin *cb = ud;
	struct kt_data_blob blob;
	struct kt_rule **v;
	size_t n = strlen(path);

	if (!(n > 5 && !strcmp(path + n - 5, ".yaml")))
		return 0;
	if (kt_data_read(cb->ctx, path, &blob) != 0) {
		check_fwd(cb->chk, KT_SEV_ERROR, path, kt_ctx_errmsg(cb->ctx));
		return 0;
	}
	(void)kt_rules_parse(cb->rs, blob.origin, blob.data, blob.len, check_fwd, cb->chk, &v, &n);
	kt_data_blob_deinit(&blob);
	return 0;
}

int
kt_ruleset_check_builtin(struct kt_ctx *ctx, kt_diag_fn fn, void *ud)
{
	struct check chk = { fn, ud, 0 };
	struct check_builtin cb = { ctx, kt_ruleset_new(), &chk };
	int rc = kt_data_each(ctx, "rules/", check_one_builtin, &cb);

	kt_ruleset_free(cb.rs);
	if (rc)
		return rc;
	return chk.problems ? kt_error(ctx, KT_EFORMAT, "%zu problem(s) in the built-in rules",
				       chk.problems)
			    : 0;
}
