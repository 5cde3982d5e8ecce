/*
 * Diagnose: the knowledge base of crash causes. A rule set is loaded from
 * YAML rule files (data/rules/ embedded, plus --rules DIR); running it over
 * a parsed, signed and decoded report fills the report's findings (most
 * confident first) and its "what happened" story. The rule format is
 * documented in docs/rules.md.
 */
#ifndef KTRIAGE_DIAGNOSE_H
#define KTRIAGE_DIAGNOSE_H

#include <stddef.h>

#include <ktriage/error.h>
#include <ktriage/export.h>
#include <ktriage/hostfacts.h>
#include <ktriage/report.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kt_ruleset;

/* A read-only view of one rule, for `ktriage rules list/show`. Every pointer
 * is borrowed; valid until the rule set is freed. */
struct kt_rule_info {
	const char *id;
	const char *title;
	const char *severity;		/* "critical", "high", "medium", "low", "info" */
	const char *file;		/* "embedded:rules/x.yaml" or a disk path */
	const char *explanation;
	const char *const *conditions;	/* one human-readable line per condition */
	size_t n_conditions;
	const char *const *confidence;	/* "high: trace + host-jumbo" ... */
	size_t n_confidence;
	const char *const *remedy;
	size_t n_remedy;
	const char *const *references;
	size_t n_references;
};

/* Load the rules embedded in the library (data/rules/; a data directory set
 * with kt_ctx_set_data_dir() overrides them file by file). Caller owns *ret;
 * free with kt_ruleset_free(). Returns 0, or KT_EFORMAT with "file:line:
 * reason" on ctx if a rule is invalid. */
KT_API int kt_ruleset_load_builtin(struct kt_ctx *ctx, struct kt_ruleset **ret);

/* Create an empty rule set. Caller owns the result; free with
 * kt_ruleset_free(). */
KT_API struct kt_ruleset *kt_ruleset_new(void);

/* Add every *.yaml / *.yml file of DIR (not recursive, sorted by name).
 * A rule whose id is already in the set replaces it (local overrides).
 * Returns 0, KT_EIO (unreadable dir/file) or KT_EFORMAT ("file:line:
 * reason" on ctx; the set is left unchanged for that file). */
KT_API int kt_ruleset_add_dir(struct kt_ctx *ctx, struct kt_ruleset *rs, const char *dir);

/* Add the rules of one YAML text (`name` is used in messages). Copied; the
 * arguments may be freed after return. Returns 0 or KT_EFORMAT. */
KT_API int kt_ruleset_add_text(struct kt_ctx *ctx, struct kt_ruleset *rs, const char *name,
			       const char *text, size_t len);

/* Validate every rule file of DIR (or the single file DIR names), reporting
 * each problem through fn(ud, KT_SEV_ERROR, "file:line", reason). Returns 0
 * when all rules are valid, KT_EFORMAT when problems were reported, KT_EIO
 * when DIR cannot be read. */
KT_API int kt_ruleset_check_dir(struct kt_ctx *ctx, const char *dir, kt_diag_fn fn, void *ud);

/* Validate the built-in rules (data/rules/, or the ctx data directory) the
 * same way, every problem through fn. Returns 0 or KT_EFORMAT. */
KT_API int kt_ruleset_check_builtin(struct kt_ctx *ctx, kt_diag_fn fn, void *ud);

/* Number of rules in the set (0 for NULL). */
KT_API size_t kt_ruleset_count(const struct kt_ruleset *rs);

/* Describe rule i (0 <= i < count, sorted by id). Returns 0 or KT_EINVAL. */
KT_API int kt_ruleset_info(const struct kt_ruleset *rs, size_t i, struct kt_rule_info *ret);

/* Index of the rule with id `id`, or KT_ENOTFOUND. */
KT_API int kt_ruleset_find(const struct kt_ruleset *rs, const char *id);

/* Free a rule set; NULL is a no-op. */
KT_API void kt_ruleset_free(struct kt_ruleset *rs);

/* Run every rule over `r`: fill r->findings (most confident first) and
 * r->story. `hf` (host facts) may be NULL: rules that need host facts then
 * use what the log shows. Everything added lives in r's arena. Returns 0 or
 * KT_EINVAL (NULL rs or r). */
KT_API int kt_diagnose_run(struct kt_ctx *ctx, const struct kt_ruleset *rs,
			   const struct kt_host_facts *hf, struct kt_report *r);

/* Fill only r->story (also done by kt_diagnose_run). Returns 0. */
KT_API int kt_diagnose_story(struct kt_ctx *ctx, struct kt_report *r);

#ifdef __cplusplus
}
#endif
#endif
