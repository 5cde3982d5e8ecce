/*
 * decode: bits and letters -> meanings. Taint letters, the x86 page-fault
 * error code, the arm64 ESR, EFLAGS/CR0/CR4 and the last page-table entry,
 * all driven by the tables in data/decode/. Adds flag lists to the report;
 * does not judge what they mean for the crash (that is diagnose's job).
 */
#include "decode/internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"

static void
add_flag(struct kt_report *r, struct kt_flag_list *l, size_t *cap, const char *name,
	 const char *meaning)
{
	struct kt_flag *f = kt_arena_push(r->arena, (void **)&l->v, &l->n, cap, sizeof(*f));

	/* Table strings die with the tables: copy everything into the report. */
	f->name = kt_report_strdup(r, name);
	f->meaning = kt_report_strdup(r, meaning);
}

/* Capacity to start appending to a list that may already have entries:
 * claiming it is full makes the first kt_arena_push copy it, so a list
 * allocated by someone else is never written past its end. */
static size_t
list_cap(const struct kt_flag_list *l)
{
	return l->n;
}

static uint64_t
field_mask(unsigned lo, unsigned hi)
{
	unsigned width = hi - lo + 1;

	return (width >= 64 ? ~0ull : ((1ull << width) - 1)) << lo;
}

void
kt_bits_decode(struct kt_report *r, const struct kt_dtable *t, uint64_t value,
	       struct kt_flag_list *out)
{
	int c_bits = kt_dtable_col(t, "bits"), c_name = kt_dtable_col(t, "name");
	int c_set = kt_dtable_col(t, "set"), c_clear = kt_dtable_col(t, "clear");
	uint64_t covered = 0;
	size_t cap = list_cap(out);

	for (size_t i = 0; i < t->n_rows; i++) {
		const char *name = kt_dtable_get(t, i, c_name);
		const char *set = kt_dtable_get(t, i, c_set);
		const char *clear = kt_dtable_get(t, i, c_clear);
		unsigned lo, hi;
		uint64_t v;

		if (!kt_dtable_bits(kt_dtable_get(t, i, c_bits), &lo, &hi))
			continue;
		covered |= field_mask(lo, hi);
		v = (value & field_mask(lo, hi)) >> lo;
		if (lo == hi && v)
			add_flag(r, out, &cap, name, set);
		else if (v)
			add_flag(r, out, &cap, name,
				 kt_report_printf(r, "%s: 0x%llx", set, (unsigned long long)v));
		else if (strcmp(clear, "-") != 0 && clear[0])
			add_flag(r, out, &cap, kt_report_printf(r, "!%s", name), clear);
	}
	for (unsigned b = 0; b < 64; b++)
		if ((value >> b & 1) && !(covered >> b & 1))
			add_flag(r, out, &cap, kt_report_printf(r, "bit%u", b),
				 "bit not in the table (reserved, or newer than this table)");
}

/* ---- taint ------------------------------------------------------------ */

/* "enic, fnic, bnx2i" for the modules whose flags carry `letter`. */
static const char *
modules_with_flag(struct kt_report *r, char letter)
{
	char buf[512];
	size_t len = 0, n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n_modules; i++) {
		const struct kt_module *m = &r->modules[i];

		if (!m->flags || !m->name || !strchr(m->flags, letter))
			continue;
		if (n++ < 8 && len + strlen(m->name) + 3 < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
						len ? ", " : "", m->name);
	}
	if (n == 0)
		return NULL;
	if (n > 8)
		return kt_report_printf(r, "%s and %zu more", buf, n - 8);
	return kt_report_strdup(r, buf);
}

static long
taint_row(const struct kt_dtable *t, char letter)
{
	int c_letter = kt_dtable_col(t, "letter");

	for (size_t i = 0; i < t->n_rows; i++) {
		const char *l = kt_dtable_get(t, i, c_letter);

		if (l[0] == letter && l[1] == '\0')
			return (long)i;
	}
	return -1;
}

/* "G           O" (positional), "GF          O--------------" (RHEL 7),
 * "[W]=WARN, [O]=OOT_MODULE" (verbose, v6.12+): the letters only. */
static size_t
taint_letters(const char *s, char *out, size_t max)
{
	bool verbose = strchr(s, '[') != NULL;
	size_t n = 0;

	for (const char *p = s; *p && n < max; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			continue;
		if (verbose && (p == s || p[-1] != '[' || p[1] != ']'))
			continue;
		if (!memchr(out, *p, n))
			out[n++] = *p;
	}
	return n;
}

/* Letters that only the module list shows ("Modules linked in: foo(OE+)"):
 * per-module taints missing from the Tainted: text (or no Tainted: line at
 * all), and the load-state marks + (loading) and - (unloading). */
static size_t
module_letters(const struct kt_report *r, char *out, size_t n, size_t max)
{
	for (size_t i = 0; i < r->n_modules; i++) {
		const char *f = r->modules[i].flags;

		for (; f && *f && n < max; f++)
			if (((*f >= 'A' && *f <= 'Z') || *f == '+' || *f == '-') &&
			    !memchr(out, *f, n))
				out[n++] = *f;
	}
	return n;
}

void
kt_decode_taint(struct kt_report *r, const struct kt_dtable *taint)
{
	int c_meaning = kt_dtable_col(taint, "meaning");
	int c_per_module = kt_dtable_col(taint, "per_module");
	struct kt_flag_list *out = &r->kernel.taint;
	size_t cap = list_cap(out);
	char letters[64];
	size_t n = 0, n_text;

	if (r->kernel.tainted)
		n = taint_letters(r->kernel.tainted, letters, sizeof(letters));
	n_text = n;
	n = module_letters(r, letters, n, sizeof(letters));
	for (size_t i = 0; i < n; i++) {
		if (letters[i] == '+' || letters[i] == '-') {
			add_flag(r, out, &cap, kt_report_strndup(r, &letters[i], 1),
				 kt_report_printf(r, "module %s (modules: %s)",
						  letters[i] == '+' ? "still loading (MODULE_STATE_COMING)"
								    : "unloading (MODULE_STATE_GOING)",
						  modules_with_flag(r, letters[i])));
			continue;
		}
		const char *name = kt_report_strndup(r, &letters[i], 1);
		long row = taint_row(taint, letters[i]);
		const char *meaning, *mods = NULL;

		if (row < 0) {
			add_flag(r, out, &cap, name,
				 "taint letter not in the mainline table (vendor-specific?)");
			continue;
		}
		meaning = kt_dtable_get(taint, (size_t)row, c_meaning);
		if (strcmp(kt_dtable_get(taint, (size_t)row, c_per_module), "yes") == 0)
			mods = modules_with_flag(r, letters[i]);
		add_flag(r, out, &cap, name,
			 mods ? kt_report_printf(r, "%s (modules: %s)%s", meaning, mods,
						 i >= n_text ? " [module flag only]" : "")
			      : meaning);
	}
}

/* ---- fault ------------------------------------------------------------ */

static bool
is_x86(const struct kt_report *r)
{
	uint64_t v;

	if (r->arch == KT_ARCH_X86_64 || r->arch == KT_ARCH_I386)
		return true;
	return r->arch == KT_ARCH_UNKNOWN &&
	       (kt_report_reg(r, "RIP", &v) || kt_report_reg(r, "EIP", &v));
}

static bool
is_page_fault(const struct kt_report *r)
{
	return r->kind == KT_KIND_PAGING_REQUEST || r->kind == KT_KIND_NULL_DEREF ||
	       r->fault.page_table != NULL;
}

/* A Xen PV guest kernel runs in ring 3 with CS e030 (RIP: e030:...), or the
 * hypervisor says "VCPU in kernel mode": that is kernel mode. */
static bool
xen_pv_kernel(const struct kt_report *r)
{
	return (r->ip.segment && strcasecmp(r->ip.segment, "e030") == 0) ||
	       (r->xen.present && r->xen.vcpu_kernel_mode);
}

/* "arch/x86/mm/fault.c show_fault_oops(): not-present page / reserved bit
 * violation / protection keys violation / permissions violation". */
static void
fill_x86_pf(struct kt_report *r)
{
	uint64_t e = r->fault.error_code;

	if (!r->fault.access)
		r->fault.access = (e & 0x10) ? "exec" : (e & 0x2) ? "write" : "read";
	if (!r->fault.mode)
		r->fault.mode = (e & 0x4) ? "user" : "kernel";
	if (!r->fault.reason)
		r->fault.reason = !(e & 0x1) ? "not-present page"
				  : (e & 0x8)  ? "reserved bit violation"
				  : (e & 0x20) ? "protection keys violation"
					       : "permissions violation";
}

static void
decode_esr(struct kt_report *r, const struct kt_decode_tables *t)
{
	uint64_t esr = r->fault.error_code, ec = (esr >> 26) & 0x3f, fsc = esr & 0x3f;
	struct kt_flag_list *out = &r->fault.error_bits;
	size_t cap = list_cap(out);
	bool abort = ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
	int c_ec = kt_dtable_col(&t->esr_ec, "ec"), c_code = kt_dtable_col(&t->fsc, "code");

	for (size_t i = 0; i < t->esr_ec.n_rows; i++) {
		uint64_t v;

		if (kt_dtable_get_num(&t->esr_ec, i, c_ec, &v) && v == ec)
			add_flag(r, out, &cap,
				 kt_report_printf(r, "EC=0x%02llx", (unsigned long long)ec),
				 kt_report_printf(r, "%s: %s",
					kt_dtable_get(&t->esr_ec, i, kt_dtable_col(&t->esr_ec, "name")),
					kt_dtable_get(&t->esr_ec, i, kt_dtable_col(&t->esr_ec, "meaning"))));
	}
	if (ec == 0x3c)
		add_flag(r, out, &cap, kt_report_printf(r, "BRK=0x%llx", (unsigned long long)(esr & 0xffff)),
			 "brk immediate (the kernel uses 0x800 for BUG/WARN)");
	if (!abort)
		return;
	for (size_t i = 0; i < t->fsc.n_rows; i++) {
		uint64_t v;

		if (kt_dtable_get_num(&t->fsc, i, c_code, &v) && v == fsc) {
			const char *name = kt_dtable_get(&t->fsc, i, kt_dtable_col(&t->fsc, "name"));

			add_flag(r, out, &cap,
				 kt_report_printf(r, "FSC=0x%02llx", (unsigned long long)fsc),
				 kt_report_printf(r, "%s: %s", name,
					kt_dtable_get(&t->fsc, i, kt_dtable_col(&t->fsc, "meaning"))));
			if (!r->fault.reason)
				r->fault.reason = kt_report_strdup(r, name);
		}
	}
	if (ec == 0x24 || ec == 0x25) {
		if (esr & (1u << 8))
			add_flag(r, out, &cap, "CM", "cache maintenance operation");
		add_flag(r, out, &cap, (esr & (1u << 6)) ? "WnR" : "!WnR",
			 (esr & (1u << 6)) ? "write access" : "read access");
		if (!r->fault.access)
			r->fault.access = (esr & (1u << 6)) ? "write" : "read";
	} else if (!r->fault.access) {
		r->fault.access = "exec";
	}
	if (!r->fault.mode)
		r->fault.mode = (ec & 1) ? "kernel" : "user";
}

/* "PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20" or i386
 * "*pdpt = 0000000033a4e001 *pde = 0000000000000000 ": the last "NAME VALUE". */
static bool
last_entry(const char *walk, char *ret_name, size_t name_len, uint64_t *ret_value)
{
	const char *p = walk;
	bool found = false;

	while (*p) {
		const char *ns;
		size_t nl = 0, vl = 0;
		uint64_t v = 0;

		while (*p == ' ' || *p == '\t' || *p == '*')
			p++;
		ns = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		nl = (size_t)(p - ns);
		while (*p == ' ' || *p == '\t' || *p == '=')
			p++;
		while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))
			v = (v << 4) | (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10), p++, vl++;
		if (nl == 0)
			break;
		if (strncmp(p - vl, "BAD", 3) == 0 && vl == 3) {
			found = false;	/* "PUD BAD": that table could not be read */
			continue;
		}
		if (vl > 0 && vl <= 16 && (*p == '\0' || *p == ' ' || *p == '\t')) {
			(void)snprintf(ret_name, name_len, "%.*s", (int)nl, ns);
			*ret_value = v;
			found = true;
		}
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return found;
}

static void
decode_pte(struct kt_report *r, const struct kt_dtable *pte)
{
	char name[16];
	uint64_t v = 0;
	size_t cap;

	if (!r->fault.page_table || !last_entry(r->fault.page_table, name, sizeof(name), &v))
		return;
	cap = list_cap(&r->fault.pte_bits);
	add_flag(r, &r->fault.pte_bits, &cap, kt_report_strdup(r, name),
		 kt_report_printf(r, "last entry of the page-table walk: 0x%llx%s",
				  (unsigned long long)v,
				  (v & 1) ? "" : " (not present: the walk stops here)"));
	kt_bits_decode(r, pte, v, &r->fault.pte_bits);
}

void
kt_decode_fault(struct kt_report *r, const struct kt_decode_tables *t)
{
	if (is_x86(r) && is_page_fault(r)) {
		if (r->fault.has_error_code) {
			kt_bits_decode(r, &t->pf_error, r->fault.error_code, &r->fault.error_bits);
			fill_x86_pf(r);
		}
		decode_pte(r, &t->pte);
	} else if (r->arch == KT_ARCH_ARM64 && r->fault.has_error_code) {
		decode_esr(r, t);
	}
	/* The PV kernel runs in ring 3, so a user-looking error code or CS must
	 * not turn a dom0 kernel fault into a user fault (xen xen/arch/x86/pv/traps.c). */
	if (xen_pv_kernel(r) && r->fault.present && r->fault.mode &&
	    strcmp(r->fault.mode, "kernel") != 0) {
		kt_report_note(r, 0, KT_SEV_INFO,
			       "decode: Xen PV guest kernel (CS e030 / VCPU in kernel mode): "
			       "fault mode '%s' read as kernel", r->fault.mode);
		r->fault.mode = "kernel";
	}
}

void
kt_decode_cpu_regs(struct kt_report *r, const struct kt_decode_tables *t)
{
	uint64_t v;

	if (!is_x86(r))
		return;
	if (kt_report_reg(r, "EFLAGS", &v) || kt_report_reg(r, "RFLAGS", &v))
		kt_bits_decode(r, &t->rflags, v, &r->rflags);
	if (kt_report_reg(r, "CR0", &v))
		kt_bits_decode(r, &t->cr0, v, &r->cr0);
	if (kt_report_reg(r, "CR4", &v))
		kt_bits_decode(r, &t->cr4, v, &r->cr4);
}
