/*
 * Developer tool (not a test): run kt_fields_extract() over whole files
 * with a crude prefix strip ("[ ts] ", "<n>", dom0.log " LEVEL: ") and
 * print a one-line summary per file. For measuring against corpora that
 * must not be copied into the repository.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/report.h>

#include "util/arena.h"
#include "parse/fields.h"
#include "parse/xenlog.h"

static const char *
strip(const char *s)
{
	static const char *const levels[] = { "EMERG: ", "ALERT: ", "CRIT: ", "ERR: ",
		"WARN: ", "NOTICE: ", "INFO: ", "DEBUG: " };

	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (e && e - s < 20 && strspn(s + 1, " 0123456789.") == (size_t)(e - s - 1)) {
			s = e + 1;
			while (*s == ' ')
				s++;
			for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
				if (strncmp(s, levels[i], strlen(levels[i])) == 0)
					return s + strlen(levels[i]);
			return s;
		}
	}
	return s;
}

static void
one(const char *path)
{
	FILE *f = fopen(path, "r");
	struct kt_report *r = kt_report_new();
	char buf[8192];
	size_t cap = 0;

	if (!f) {
		perror(path);
		return;
	}
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\r\n")] = 0;
		if (r->n_lines == cap) {
			size_t nc = cap ? cap * 2 : 64;
			const char **l = kt_report_alloc(r, nc * sizeof(*l));
			uint32_t *no = kt_report_alloc(r, nc * sizeof(*no));

			if (cap) {
				memcpy(l, r->lines, cap * sizeof(*l));
				memcpy(no, r->line_nos, cap * sizeof(*no));
			}
			r->lines = l;
			r->line_nos = no;
			cap = nc;
		}
		r->lines[r->n_lines] = kt_report_strdup(r, strip(buf));
		r->line_nos[r->n_lines] = (uint32_t)r->n_lines + 1;
		r->n_lines++;
	}
	fclose(f);
	kt_fields_extract(r);
	printf("%s: arch=%s frames=%zu regs=%zu mods=%zu ip=%s+0x%llx seg=%s cpu=%d pid=%d comm=%s rel=%s taint='%s' oops='%s' fault=%d addr=%llx ec=%llx acc=%s mode=%s reason=%s code=%zu@%d panic=%s notes=%zu\n",
	       path, kt_arch_name(r->arch), r->n_frames, r->n_regs, r->n_modules,
	       r->ip.function ? r->ip.function : "-", (unsigned long long)r->ip.offset,
	       r->ip.segment ? r->ip.segment : "-", r->cpu, r->pid, r->comm ? r->comm : "-",
	       r->kernel.release ? r->kernel.release : "-",
	       r->kernel.tainted ? r->kernel.tainted : (r->kernel.not_tainted ? "(not)" : "-"),
	       r->oops ? r->oops : "-", r->fault.present,
	       (unsigned long long)r->fault.address, (unsigned long long)r->fault.error_code,
	       r->fault.access ? r->fault.access : "-", r->fault.mode ? r->fault.mode : "-",
	       r->fault.reason ? r->fault.reason : "-", r->code.n, r->code.fault_offset,
	       r->panic ? r->panic : "-", r->n_notes);
	if (getenv("FIELDS_DEV_FRAMES"))
		for (size_t i = 0; i < r->n_frames; i++)
			printf("   %c %-8s %s+0x%llx/0x%llx [%s] @%u\n", r->frames[i].reliable ? ' ' : '?',
			       kt_stack_name(r->frames[i].stack),
			       r->frames[i].function ? r->frames[i].function : "(addr)",
			       (unsigned long long)r->frames[i].offset,
			       (unsigned long long)r->frames[i].size,
			       r->frames[i].module ? r->frames[i].module : "",
			       r->frames[i].log_line);
	if (getenv("FIELDS_DEV_REGS"))
		for (size_t i = 0; i < r->n_regs; i++)
			printf("   %s=%llx\n", r->regs[i].name, (unsigned long long)r->regs[i].value);
	kt_report_free(r);
}

/* --xenlog FILE: read a crash folder's xen.log, attach it for CPU 4 */
static void
xen(const char *path)
{
	FILE *f = fopen(path, "r");
	struct kt_xenlog *x = kt_xenlog_new();
	struct kt_report *r = kt_report_new();
	char buf[8192];
	uint32_t no = 0;

	if (!f) {
		perror(path);
		return;
	}
	while (fgets(buf, sizeof(buf), f)) {
		struct kt_line line;

		buf[strcspn(buf, "\r\n")] = 0;
		memset(&line, 0, sizeof(line));
		line.text = line.raw = kt_str_cstr(buf);
		line.no = ++no;
		kt_xenlog_feed(x, &line);
	}
	fclose(f);
	r->cpu = 4;
	kt_xenlog_attach(x, r);
	printf("%s: version=%s blocks=%zu guest=%zu pcpu=%d vcpu=%d kernel=%d rip=%s regs=%zu frames=%zu\n",
	       path, r->xen.version ? r->xen.version : "-", kt_xenlog_n_blocks(x),
	       kt_xenlog_n_guest_blocks(x), r->xen.pcpu, r->xen.vcpu, r->xen.vcpu_kernel_mode,
	       r->xen.guest_rip ? r->xen.guest_rip : "-", r->xen.n_regs, r->xen.n_frames);
	kt_xenlog_free(x);
	kt_report_free(r);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--xenlog") == 0) {
		for (int i = 2; i < argc; i++)
			xen(argv[i]);
		return 0;
	}
	if (getenv("KT_ARENA_DEBUG"))
		kt_arena_set_debug(true);
	for (int i = 1; i < argc; i++)
		one(argv[i]);
	return 0;
}
