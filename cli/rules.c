/*
 * cli: `ktriage rules` — list, show and check the knowledge-base rules
 * (the YAML files of data/rules/ built in, plus --rules DIR). Argument parsing and
 * output only; loading and validation are in src/diagnose/.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktriage/diagnose.h>
#include <ktriage/net.h>
#include <ktriage/ktriage.h>

#include "commands.h"
#include "util.h"

static const char usage_text[] =
	"Usage: ktriage rules list [--rules DIR]... [--data DIR] [--format text|json]\n"
	"       ktriage rules show [--rules DIR]... [--data DIR] [--format text|json] ID\n"
	"       ktriage rules check [--data DIR] [PATH...]\n"
	"\n"
	"The knowledge base: each rule names a known cause of kernel or Xen crashes\n"
	"(for example a guest VIF MTU above the bridge port's MTU), the conditions on a\n"
	"crash report and on host facts that point to it, how confident a match is, the\n"
	"evidence to show, an explanation, remedy steps and references. Rules are YAML\n"
	"files, one rule per file; the format is described in docs/rules.md.\n"
	"\n"
	"Commands:\n"
	"  list     one line per rule: id, severity and title (sorted by id)\n"
	"  show ID  everything about one rule: conditions with weights, confidence\n"
	"           combinations, explanation, remedy and references\n"
	"  check    validate the rule files in each PATH (a directory of *.yaml files or\n"
	"           one file); every problem is printed as FILE:LINE: REASON. Without\n"
	"           PATH: the built-in rules and knowledge tables (data/rules/,\n"
	"           data/net/; --data DIR checks DIR instead). Every reference must be\n"
	"           public: a URL or a source path ('linux net/core/dev.c', 'xen-api\n"
	"           ocaml/xapi/xapi_pif.ml'), never a local file; every {placeholder}\n"
	"           must name a condition value or a report field\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT   text (default) or json (list and show)\n"
	"  -r, --rules DIR    also load the rules in DIR (repeatable); a rule with the\n"
	"                     id of a built-in rule replaces it\n"
	"      --data DIR     read knowledge files (rules/, diagnose/ ...) from DIR\n"
	"                     instead of the built-in copy\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status:\n"
	"  0  success (check: every rule is valid)\n"
	"  1  check: problems found (printed as FILE:LINE: REASON); show: no such rule\n"
	"  2  usage error\n"
	"  3  runtime error (a rule directory cannot be read, a built-in rule is invalid)\n"
	"\n"
	"Examples:\n"
	"  ktriage rules list\n"
	"  ktriage rules show enic-jumbo-frames\n"
	"  ktriage rules check /etc/ktriage/rules/\n"
	"  ktriage rules check                      # the built-in knowledge\n"
	"  ktriage analyze --rules /etc/ktriage/rules/ /var/crash/2015-06-01-10-11-12/\n";

static json_t *
json_strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		(void)json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
rule_json(const struct kt_rule_info *ri, bool full)
{
	json_t *o = json_object();

	(void)json_object_set_new(o, "id", json_string(ri->id));
	(void)json_object_set_new(o, "severity", json_string(ri->severity));
	(void)json_object_set_new(o, "title", json_string(ri->title));
	(void)json_object_set_new(o, "file", json_string(ri->file));
	if (!full)
		return o;
	(void)json_object_set_new(o, "conditions", json_strings(ri->conditions, ri->n_conditions));
	(void)json_object_set_new(o, "confidence", json_strings(ri->confidence, ri->n_confidence));
	(void)json_object_set_new(o, "explanation",
				  ri->explanation ? json_string(ri->explanation) : json_null());
	(void)json_object_set_new(o, "remedy", json_strings(ri->remedy, ri->n_remedy));
	(void)json_object_set_new(o, "references", json_strings(ri->references, ri->n_references));
	return o;
}

static int
print_json(json_t *j)
{
	int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);

	json_decref(j);
	fputc('\n', stdout);
	return rc == 0 ? 0 : 3;
}

static int
list_rules(const struct kt_ruleset *rs, bool json)
{
	json_t *arr = json ? json_array() : NULL;

	for (size_t i = 0; i < kt_ruleset_count(rs); i++) {
		struct kt_rule_info ri;

		if (kt_ruleset_info(rs, i, &ri) != 0)
			continue;
		if (arr)
			(void)json_array_append_new(arr, rule_json(&ri, false));
		else
			printf("%-32s %-8s %s\n", ri.id, ri.severity, ri.title);
	}
	return arr ? print_json(arr) : 0;
}

static void
print_list(const char *heading, const char *const *v, size_t n, const char *bullet)
{
	if (!n)
		return;
	printf("\n%s:\n", heading);
	for (size_t i = 0; i < n; i++) {
		if (*bullet == '#')
			printf("  %zu. %s\n", i + 1, v[i]);
		else
			printf("  %s %s\n", bullet, v[i]);
	}
}

static int
show_rule(const struct kt_ruleset *rs, const char *id, bool json)
{
	int i = kt_ruleset_find(rs, id);
	struct kt_rule_info ri;

	if (i < 0 || kt_ruleset_info(rs, (size_t)i, &ri) != 0) {
		fprintf(stderr, "ktriage rules: no rule '%s' (see 'ktriage rules list')\n", id);
		return 1;
	}
	if (json)
		return print_json(rule_json(&ri, true));
	printf("%s — %s\n", ri.id, ri.title);
	printf("severity: %s\nfile: %s\n", ri.severity, ri.file);
	print_list("Conditions", ri.conditions, ri.n_conditions, "-");
	print_list("Confidence", ri.confidence, ri.n_confidence, "-");
	if (ri.explanation)
		printf("\nExplanation:\n  %s\n", ri.explanation);
	print_list("Remedy", ri.remedy, ri.n_remedy, "#");
	print_list("References", ri.references, ri.n_references, "-");
	return 0;
}

/* Prints "FILE:LINE: REASON" for `rules check`. */
static void
print_problem(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	(void)ud;
	(void)sev;
	printf("%s: %s\n", what, msg);
}

/* Without PATH: the built-in rules and the net knowledge tables. */
static int
check_builtin(const char *data_dir)
{
	struct kt_ctx *ctx = kt_ctx_new();
	int status = 0;
	int rc;

	if (data_dir)
		kt_ctx_set_data_dir(ctx, data_dir);
	rc = kt_ruleset_check_builtin(ctx, print_problem, NULL);
	if (rc == KT_EFORMAT) {
		status = 1;
	} else if (rc) {
		fprintf(stderr, "ktriage rules check: %s\n", kt_ctx_errmsg(ctx));
		status = 3;
	}
	rc = kt_driver_db_check(ctx, print_problem, NULL);
	if (rc == KT_EFORMAT) {
		status = status ? status : 1;
		if (!strstr(kt_ctx_errmsg(ctx), "non-public"))
			printf("%s\n", kt_ctx_errmsg(ctx));	/* a table that does not load */
	} else if (rc) {
		fprintf(stderr, "ktriage rules check: %s\n", kt_ctx_errmsg(ctx));
		status = 3;
	}
	kt_ctx_free(ctx);
	return status;
}

static int
check_paths(int argc, char **argv)
{
	struct kt_ctx *ctx = kt_ctx_new();
	int status = 0;

	for (int i = 0; i < argc; i++) {
		int rc = kt_ruleset_check_dir(ctx, argv[i], print_problem, NULL);

		if (rc == KT_EFORMAT) {
			status = status ? status : 1;
		} else if (rc) {
			fprintf(stderr, "ktriage rules check: %s\n", kt_ctx_errmsg(ctx));
			status = 3;
		}
	}
	kt_ctx_free(ctx);
	return status;
}

struct opts {
	const char *dirs[32];
	size_t n_dirs;
	const char *data_dir;
	bool json;
};

/* getopt over argv from optind; stops at the first non-option when
 * `optstring` starts with '+'. Returns -1 to go on, else an exit status. */
static int
parse_opts(int argc, char **argv, const char *optstring, struct opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "rules", required_argument, NULL, 'r' },
		{ "data", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "ktriage rules: unknown format '%s' (text, json)\n", optarg);
				return 2;
			}
			o->json = !strcmp(optarg, "json");
			break;
		case 'r':
			if (o->n_dirs >= sizeof(o->dirs) / sizeof(o->dirs[0])) {
				fprintf(stderr, "ktriage rules: too many --rules\n");
				return 2;
			}
			o->dirs[o->n_dirs++] = optarg;
			break;
		case 'D':
			o->data_dir = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs("Try 'ktriage rules --help'.\n", stderr);
			return 2;
		}
	}
	return -1;
}

int
kt_cli_rules(int argc, char **argv)
{
	struct opts o = { .n_dirs = 0 };
	const char *sub;
	struct kt_ctx *ctx;
	struct kt_ruleset *rs = NULL;
	int status;

	optind = 1;
	if ((status = parse_opts(argc, argv, "+f:r:h", &o)) >= 0)
		return status;
	if (optind >= argc) {
		fputs("ktriage rules: missing command (list, show ID, check PATH)\n"
		      "Try 'ktriage rules --help'.\n", stderr);
		return 2;
	}
	sub = argv[optind++];
	/* options may also follow the sub-command: "rules list --format json" */
	if ((status = parse_opts(argc, argv, "f:r:h", &o)) >= 0)
		return status;
	if (!strcmp(sub, "check")) {
		if (optind >= argc)
			return check_builtin(o.data_dir);
		return check_paths(argc - optind, argv + optind);
	}
	if (strcmp(sub, "list") && strcmp(sub, "show")) {
		fprintf(stderr, "ktriage rules: unknown command '%s' (list, show, check)\n", sub);
		return 2;
	}
	if (!strcmp(sub, "show") ? optind + 1 != argc : optind != argc) {
		fprintf(stderr, "ktriage rules %s: %s\n", sub,
			!strcmp(sub, "show") ? "give exactly one rule ID" : "takes no arguments");
		return 2;
	}
	ctx = kt_ctx_new();
	if (o.data_dir)
		kt_ctx_set_data_dir(ctx, o.data_dir);
	status = kt_ruleset_load_builtin(ctx, &rs);
	for (size_t i = 0; status == 0 && i < o.n_dirs; i++)
		status = kt_ruleset_add_dir(ctx, rs, o.dirs[i]);
	if (status) {
		fprintf(stderr, "ktriage rules: %s\n", kt_ctx_errmsg(ctx));
		status = 3;
	} else if (!strcmp(sub, "list")) {
		status = list_rules(rs, o.json);
	} else {
		status = show_rule(rs, argv[optind], o.json);
	}
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
	return status;
}
