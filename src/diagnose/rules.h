/*
 * diagnose: the in-memory rule model shared by the loader (rules_load.c),
 * the matcher (match.c) and the CLI getters. A rule is a list of weighted
 * conditions over a report and host facts, plus what to tell the user.
 * Everything hangs off the rule set's arena, except compiled regexes, which
 * the set tracks and frees.
 */
#ifndef KT_DIAGNOSE_RULES_H
#define KT_DIAGNOSE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util/pcre.h"
#include "util/prefilter.h"

#include <ktriage/diagnose.h>

struct kt_frame_table;

/* Condition matchers: one key of a condition mapping each (docs/rules.md). */
enum kt_cond_type {
	KT_COND_KIND,		/* kind: [paging-request, null-deref] */
	KT_COND_TITLE,		/* title: REGEX */
	KT_COND_LINE,		/* line: REGEX (any report line) */
	KT_COND_PANIC,		/* panic: REGEX */
	KT_COND_FRAMES,		/* frames: [REGEX, ...] all present */
	KT_COND_FRAMES_ORDER,	/* frames-in-order: [REGEX, ...] innermost first */
	KT_COND_GUILTY,		/* guilty-frame: REGEX */
	KT_COND_GUILTY_MODULE,	/* guilty-module: {name: REGEX, flags: "OP"} */
	KT_COND_CONTEXT,	/* context: [softirq, hardirq] */
	KT_COND_MODULE,		/* module: REGEX | {name: REGEX, flags: "OP"} */
	KT_COND_TAINT,		/* taint: "D" (all letters) */
	KT_COND_REGISTER,	/* register: {name: REGEX, in: [0x5dc, ...]} */
	KT_COND_REG_NOTE,	/* reg-note: mtu-size */
	KT_COND_HARDWARE,	/* hardware: REGEX */
	KT_COND_KERNEL,		/* kernel: {min: "3.10", before: "5.0"} */
	KT_COND_XEN,		/* xen: REGEX on the Xen version ("" = any Xen) */
	KT_COND_COMM,		/* comm: REGEX */
	KT_COND_HOST_IFACE,	/* host-iface: {driver: REGEX, mtu-above: 1500, jumbo: REGEX, kind: REGEX} */
	KT_COND_HOST_NETWORK,	/* host-network: {name: REGEX, bridge: REGEX, mtu-above: 1500} */
	KT_COND_COUNT
};

const char *kt_cond_type_name(enum kt_cond_type t);

/* A rule regex's compiled form, shared by the copies of its kt_regex.
 * Built-in rules (baked at build time, checked by the tests) compile their
 * regexes on first use: most never run on a given input (their rule fails
 * a cheaper condition or the prefilter first), and compiling all of them
 * was a third of start-up. Once compiled it is read-only, so a rule set
 * can be shared by threads (the first use publishes it atomically). */
struct kt_regex_code {
	const char *pat;		/* the full pattern */
	const struct kt_pcre_bake *bake;	/* build-time copies (util/pcre.h), or NULL */
	_Atomic(struct kt_pcre *) p;	/* NULL until compiled */
};

struct kt_regex {
	struct kt_regex_code *code;	/* NULL: no regex */
	const char *src;
	/* Literal prefilter (util/prefilter.h): one of these occurs in
	 * every match; n_lits == 0 means none is known. */
	const struct kt_lit *lits;
	size_t n_lits;
	/* line conditions: the literals' indexes in kt_ruleset.line_lits */
	const size_t *lit_ids;
};

struct kt_cond {
	const char *id;
	enum kt_cond_type type;
	uint32_t line;
	bool required;
	bool absent;		/* holds when the matcher does NOT match */
	int weight;
	const char *evidence;	/* template, or NULL for the default text */
	const char *describe;	/* one-line human description (rules show) */

	struct kt_regex *res;	/* title/line/panic/guilty/hardware/comm/xen: 1; frames: n */
	size_t n_res;
	uint64_t kinds;		/* bit per enum kt_kind */
	uint32_t contexts;	/* bit per enum kt_context */
	const char *flags;	/* module flags, any of these letters */
	const char *taint;	/* taint letters, all required */
	struct kt_regex name;	/* module/register/host driver name regex (code NULL = any) */
	uint64_t *values;	/* register: in-set */
	size_t n_values;
	const char *tag;	/* reg-note tag */
	uint32_t ver_min[4];	/* kernel: inclusive lower bound (all 0 = none) */
	uint32_t ver_before[4];	/* kernel: exclusive upper bound (all 0 = none) */
	bool has_min, has_before;
	int mtu_above;		/* host-iface: -1 = no check */
	bool port_below;	/* host-iface: the port carries less than the MTU */
	struct kt_regex jumbo;	/* host-iface: driver-table verdict regex */
	struct kt_regex kind;	/* host-iface: interface kind regex */
	struct kt_regex bridge;	/* host-network: bridge regex */
};

/* A confidence combination: all listed conditions held -> level. */
struct kt_conf_combo {
	int level;		/* 3 high, 2 medium, 1 low */
	size_t *conds;		/* condition indexes */
	size_t n_conds;
	const char *text;	/* "high: trace + host-jumbo" */
};

struct kt_rule {
	const char *id;
	const char *title;
	const char *severity;
	const char *file;
	uint32_t line;
	const char *explanation;
	struct kt_cond *conds;
	size_t n_conds;
	struct kt_conf_combo *combos;	/* in file order, high first is advised */
	size_t n_combos;
	const char **remedy;
	size_t n_remedy;
	const char **references;
	size_t n_references;
	const char **cond_text;		/* describe strings, for kt_rule_info */
	const char **conf_text;		/* combo texts, for kt_rule_info */
};

struct kt_ruleset {
	struct kt_arena *arena;
	struct kt_rule **rules;		/* sorted by id */
	size_t n_rules;
	size_t cap_rules;
	struct kt_frame_table *frames;	/* data/diagnose/frames.tsv, or NULL (loaded per run) */
	/* Prefilter literals of all line conditions, scanned once per report
	 * (built on the first kt_diagnose_run; dropped when rules change). */
	struct kt_litset *line_lits;
	const struct kt_pcre_bake *bake;	/* compiled regexes of the build, or NULL */
	struct kt_regex_code **codes;	/* every regex, freed with the set */
	size_t n_codes;
	size_t cap_codes;
};

/* Parse one YAML text into rules, reporting each problem through
 * fn(ud, KT_SEV_ERROR, "name:line", reason). The rules are allocated in
 * rs's arena but NOT added to the set: *ret_rules receives them (also
 * when there were problems: `rules check` looks for duplicate ids; do not
 * use them then). Returns the number of problems found (0 = valid). */
size_t kt_rules_parse(struct kt_ruleset *rs, const char *name, const char *text, size_t len,
		      kt_diag_fn fn, void *ud, struct kt_rule ***ret_rules, size_t *ret_n);

/* The built-in rule files parsed at build time (src/diagnose/rules_bake.c):
 * libyaml's documents of each file of data/rules/, read-only. */
struct yaml_document_s;
struct kt_baked_rules {
	const char *path;		/* "rules/xen.yaml", as in util/data.h */
	struct yaml_document_s *docs;
	size_t n_docs;
};
extern const struct kt_baked_rules kt_baked_rules[];
extern const size_t kt_baked_rules_count;

/* kt_rules_parse() on the documents of a baked file (same rules, same
 * problems, without the YAML scan). The documents are only read. */
size_t kt_rules_parse_baked(struct kt_ruleset *rs, const struct kt_baked_rules *b,
			    kt_diag_fn fn, void *ud, struct kt_rule ***ret_rules, size_t *ret_n);

/* Insert (or replace by id) a rule in the sorted set. */
void kt_ruleset_put(struct kt_ruleset *rs, struct kt_rule *rule);

/* Match `subject` against a compiled rule regex (bounded backtracking).
 * Returns 0 for no match (or a match limit hit), else the number of
 * ovector pairs set in md (group 0 = whole match). A regex without code
 * (an omitted optional pattern) matches everything. */
int kt_regex_match(const struct kt_regex *re, const char *subject, size_t len,
		   pcre2_match_data *md, pcre2_match_context *mc);
/* A match context carrying the backtracking limits. Caller owns the
 * result; free with pcre2_match_context_free(). */
pcre2_match_context *kt_regex_context_new(void);

#endif
