/*
 * diagnose, build-time tool (not part of the library): parse the built-in
 * rule files (data/rules/\*.yaml) with libyaml once, at build time, and write
 * the node graphs as C initialisers of libyaml's own yaml_document_t. The
 * loader (rules_load.c) then reads the same nodes it would get from
 * yaml_parser_load(), without scanning 60 KB of YAML in every process and
 * every -j worker (docs/analyze-speed.md, "Start-up").
 *
 *   rules-bake OUT.c DATA_DIR FILE.yaml...
 *
 * A file that is not valid YAML fails the build, naming the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

static void
put_bytes(FILE *o, const unsigned char *p, size_t n)
{
	fputc('"', o);
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];

		if (c >= 32 && c < 127 && c != '"' && c != '\\' && c != '?')
			fputc((int)c, o);
		else
			fprintf(o, "\\%03o", c);
		if (i % 64 == 63 && i + 1 < n)
			fputs("\"\n\t\"", o);
	}
	fputc('"', o);
}

static void
put_mark(FILE *o, yaml_mark_t m)
{
	fprintf(o, "{ %zu, %zu, %zu }", m.index, m.line, m.column);
}

static int
slurp(const char *path, unsigned char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	size_t n = 0, cap = 0, k;

	if (!f)
		return -1;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			b = realloc(b, cap);
			if (!b)
				exit(1);
		}
		k = fread(b + n, 1, cap - n, f);
		n += k;
	} while (k);
	fclose(f);
	*ret = b;
	*ret_len = n;
	return 0;
}

/* One file: its documents until the first one without a root, like
 * kt_rules_parse(). Writes arrays named f<idx>_* and returns the count. */
static size_t
bake_file(FILE *o, size_t idx, const char *path)
{
	unsigned char *text;
	size_t len, n_docs = 0, n_items = 0, n_pairs = 0;
	yaml_parser_t parser;
	yaml_document_t docs[256];

	if (slurp(path, &text, &len)) {
		fprintf(stderr, "rules-bake: cannot read %s\n", path);
		exit(1);
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, text, len);
	for (;;) {
		yaml_document_t *d = &docs[n_docs];

		if (!yaml_parser_load(&parser, d)) {
			fprintf(stderr, "rules-bake: %s:%zu: YAML: %s\n", path,
				parser.problem_mark.line + 1,
				parser.problem ? parser.problem : "syntax error");
			exit(1);
		}
		if (!yaml_document_get_root_node(d)) {
			yaml_document_delete(d);
			break;
		}
		if (++n_docs == sizeof(docs) / sizeof(docs[0])) {
			fprintf(stderr, "rules-bake: %s: too many documents\n", path);
			exit(1);
		}
	}
	yaml_parser_delete(&parser);
	free(text);

	/* items and pairs of every node of the file, in one pool each */
	fprintf(o, "static yaml_node_item_t f%zu_items[] = {", idx);
	for (size_t d = 0; d < n_docs; d++)
		for (yaml_node_t *n = docs[d].nodes.start; n < docs[d].nodes.top; n++)
			if (n->type == YAML_SEQUENCE_NODE)
				for (yaml_node_item_t *it = n->data.sequence.items.start;
				     it < n->data.sequence.items.top; it++, n_items++)
					fprintf(o, "%s%d,", n_items % 16 ? " " : "\n\t", *it);
	fprintf(o, "%s};\n", n_items ? "\n" : " 0 ");
	fprintf(o, "static yaml_node_pair_t f%zu_pairs[] = {", idx);
	for (size_t d = 0; d < n_docs; d++)
		for (yaml_node_t *n = docs[d].nodes.start; n < docs[d].nodes.top; n++)
			if (n->type == YAML_MAPPING_NODE)
				for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
				     p < n->data.mapping.pairs.top; p++, n_pairs++)
					fprintf(o, "%s{ %d, %d },", n_pairs % 8 ? " " : "\n\t",
						p->key, p->value);
	fprintf(o, "%s};\n", n_pairs ? "\n" : " { 0, 0 } ");

	n_items = n_pairs = 0;
	for (size_t d = 0; d < n_docs; d++) {
		fprintf(o, "static yaml_node_t f%zu_d%zu[] = {\n", idx, d);
		for (yaml_node_t *n = docs[d].nodes.start; n < docs[d].nodes.top; n++) {
			fprintf(o, "\t{ .type = %d, .tag = (yaml_char_t *)", (int)n->type);
			put_bytes(o, n->tag, strlen((const char *)n->tag));
			switch (n->type) {
			case YAML_SCALAR_NODE:
				fputs(",\n\t  .data.scalar = { (yaml_char_t *)", o);
				put_bytes(o, n->data.scalar.value, n->data.scalar.length);
				fprintf(o, ", %zu, %d }", n->data.scalar.length,
					(int)n->data.scalar.style);
				break;
			case YAML_SEQUENCE_NODE: {
				size_t k = (size_t)(n->data.sequence.items.top -
						    n->data.sequence.items.start);

				fprintf(o, ",\n\t  .data.sequence = { { f%zu_items + %zu, "
					"f%zu_items + %zu, f%zu_items + %zu }, %d }", idx, n_items,
					idx, n_items + k, idx, n_items + k,
					(int)n->data.sequence.style);
				n_items += k;
				break;
			}
			case YAML_MAPPING_NODE: {
				size_t k = (size_t)(n->data.mapping.pairs.top -
						    n->data.mapping.pairs.start);

				fprintf(o, ",\n\t  .data.mapping = { { f%zu_pairs + %zu, "
					"f%zu_pairs + %zu, f%zu_pairs + %zu }, %d }", idx, n_pairs,
					idx, n_pairs + k, idx, n_pairs + k,
					(int)n->data.mapping.style);
				n_pairs += k;
				break;
			}
			default:
				break;
			}
			fputs(",\n\t  .start_mark = ", o);
			put_mark(o, n->start_mark);
			fputs(", .end_mark = ", o);
			put_mark(o, n->end_mark);
			fputs(" },\n", o);
		}
		fputs("};\n", o);
	}
	fprintf(o, "static yaml_document_t f%zu_docs[] = {\n", idx);
	for (size_t d = 0; d < n_docs; d++) {
		size_t k = (size_t)(docs[d].nodes.top - docs[d].nodes.start);

		fprintf(o, "\t{ .nodes = { f%zu_d%zu, f%zu_d%zu + %zu, f%zu_d%zu + %zu },\n"
			"\t  .start_implicit = %d, .end_implicit = %d,\n\t  .start_mark = ",
			idx, d, idx, d, k, idx, d, k, docs[d].start_implicit,
			docs[d].end_implicit);
		put_mark(o, docs[d].start_mark);
		fputs(", .end_mark = ", o);
		put_mark(o, docs[d].end_mark);
		fputs(" },\n", o);
		yaml_document_delete(&docs[d]);
	}
	fputs(n_docs ? "};\n\n" : "\t{ .nodes = { 0, 0, 0 } },\n};\n\n", o);
	return n_docs;
}

int
main(int argc, char **argv)
{
	FILE *o;
	size_t dlen, *counts;
	char root[4096];

	if (argc < 3) {
		fprintf(stderr, "usage: rules-bake OUT.c DATA_DIR FILE.yaml...\n");
		return 2;
	}
	if (!realpath(argv[2], root)) {
		fprintf(stderr, "rules-bake: %s: no such directory\n", argv[2]);
		return 1;
	}
	dlen = strlen(root);
	o = fopen(argv[1], "w");
	if (!o)
		return 1;
	counts = calloc((size_t)argc, sizeof(*counts));
	if (!counts)
		return 1;
	fputs("/* Generated by src/diagnose/rules_bake.c from data/rules/: do not edit. */\n"
	      "#include <yaml.h>\n\n#include \"diagnose/rules.h\"\n\n", o);
	for (int i = 3; i < argc; i++)
		counts[i] = bake_file(o, (size_t)i, argv[i]);
	fputs("const struct kt_baked_rules kt_baked_rules[] = {\n", o);
	for (int i = 3; i < argc; i++) {
		char full[4096];

		if (!realpath(argv[i], full) || strncmp(full, root, dlen) != 0 ||
		    full[dlen] != '/') {
			fprintf(stderr, "rules-bake: %s is not under %s\n", argv[i], root);
			return 1;
		}
		fprintf(o, "\t{ \"%s\", f%d_docs, %zu },\n", full + dlen + 1, i, counts[i]);
	}
	fprintf(o, "};\nconst size_t kt_baked_rules_count = %d;\n", argc - 3);
	free(counts);
	return fclose(o) ? 1 : 0;
}
