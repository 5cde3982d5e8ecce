/*
 * decode: symbolization with elfutils libdw, like the kernel's
 * scripts/decode_stacktrace.sh: "func+0x1c/0x60 [mod]" -> file:line, with
 * the inlined functions at that address inserted as frames of their own
 * (inlined = true, innermost first, like syzkaller's "[inline]" lines).
 * Frames printed as bare addresses get a name from System.map. Needs the
 * debug files of the crashed kernel; never guesses without them.
 */
#include "decode/internal.h"

#include <dirent.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktriage/error.h>
#include <ktriage/limits.h>

#include "util/arena.h"
#include "util/mem.h"
#include "util/str.h"

#define MAX_MODS 64
#define MAX_INLINE 16
#define MAX_SYSMAP_BYTES (256u << 20)

struct mod_slot {
	char name[64];
	char *path;		/* MOD.ko found under --modules (heap, while reporting) */
	Dwfl_Module *mod;
};

struct symctx {
	struct kt_ctx *ctx;
	struct kt_report *r;
	Dwfl *dwfl;
	Dwfl_Module *kernel;
	struct mod_slot mods[MAX_MODS];
	size_t n_mods;
	int err;		/* first error, reported at the end */
};

/* A location produced for one frame: the chain of inlined functions. */
struct loc {
	const char *file;
	int line;
};

struct resolved {
	struct loc real;		/* location in the printed (outer) function */
	size_t n_inl;
	const char *inl_func[MAX_INLINE];
	struct loc inl[MAX_INLINE];	/* innermost first */
};

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static int
keep_err(struct symctx *s, int rc)
{
	if (!s->err)
		s->err = rc;
	return rc;
}

/* ---- finding module files -------------------------------------------------- */

/* "nf_conntrack" matches "nf_conntrack.ko", "nf-conntrack.ko", "*.ko.xz" ... */
static bool
ko_matches(const char *file, const char *mod)
{
	size_t i = 0;

	for (; mod[i]; i++) {
		char a = file[i], b = mod[i];

		if (a == '-')
			a = '_';
		if (b == '-')
			b = '_';
		if (a != b)
			return false;
	}
	return strncmp(file + i, ".ko", 3) == 0 &&
	       (file[i + 3] == '\0' || file[i + 3] == '.');
}

/* One walk of the modules directory (bounded in depth and files): note the
 * path of each wanted module not found yet. */
static void
walk_modules(struct symctx *s, const char *dir, int depth, size_t *budget)
{
	DIR *d;
	struct dirent *de;

	if (depth > KT_MAX_DIR_DEPTH || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL && *budget > 0) {
		char path[4096];
		struct stat st;

		(*budget)--;
		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk_modules(s, path, depth + 1, budget);
			continue;
		}
		for (size_t i = 0; S_ISREG(st.st_mode) && strstr(de->d_name, ".ko") && i < s->n_mods;
		     i++)
			if (!s->mods[i].path && ko_matches(de->d_name, s->mods[i].name))
				s->mods[i].path = kt_strdup(path);
	}
	(void)closedir(d);
}

/* ---- reporting ELF files to libdwfl ----------------------------------------- */

static Dwfl_Module *
report_file(struct symctx *s, const char *name, const char *path)
{
	Dwfl_Module *m;

	if (access(path, R_OK) != 0) {
		(void)keep_err(s, kt_error(s->ctx, errno == ENOENT ? KT_ENOTFOUND : KT_EIO,
					   "'%s': %s", path, strerror(errno)));
		return NULL;
	}
	m = dwfl_report_offline(s->dwfl, name, path, -1);
	if (!m)
		(void)keep_err(s, kt_error(s->ctx, KT_EFORMAT, "'%s': %s", path,
					   dwfl_errmsg(-1)));
	return m;
}

static Dwfl_Module *
module_for(const struct symctx *s, const char *name)
{
	if (!name)
		return s->kernel;
	for (size_t i = 0; i < s->n_mods; i++)
		if (strcmp(s->mods[i].name, name) == 0)
			return s->mods[i].mod;
	return NULL;
}

static void
report_modules(struct symctx *s, const char *dir)
{
	size_t budget = KT_MAX_DIR_FILES;
	struct stat st;

	if (stat(dir, &st) != 0) {
		(void)keep_err(s, kt_error(s->ctx, errno == ENOENT ? KT_ENOTFOUND : KT_EIO,
					   "modules directory '%s': %s", dir, strerror(errno)));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		(void)keep_err(s, kt_error(s->ctx, KT_EINVAL, "'%s': not a directory", dir));
		return;
	}
	for (size_t i = 0; i < s->r->n_frames && s->n_mods < MAX_MODS; i++) {
		const char *m = s->r->frames[i].module;
		bool seen = false;

		if (!m || strlen(m) >= sizeof(s->mods[0].name))
			continue;
		for (size_t j = 0; j < s->n_mods; j++)
			seen |= strcmp(s->mods[j].name, m) == 0;
		if (!seen)
			(void)snprintf(s->mods[s->n_mods++].name, sizeof(s->mods[0].name), "%s", m);
	}
	if (s->n_mods)
		walk_modules(s, dir, 0, &budget);
	for (size_t i = 0; i < s->n_mods; i++) {
		if (s->mods[i].path)
			s->mods[i].mod = report_file(s, s->mods[i].name, s->mods[i].path);
		free(s->mods[i].path);
		s->mods[i].path = NULL;
	}
}

/* ---- symbol + offset -> address ------------------------------------------- */

/* Address of FUNC in MOD; with several symbols of that name (static
 * functions), the one whose size matches the printed "/0x110" wins. */
static bool
symbol_address(Dwfl_Module *mod, const char *func, uint64_t size, bool has_size,
	       Dwarf_Addr *ret)
{
	int n = dwfl_module_getsymtab(mod);
	bool found = false;

	for (int i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);

		if (!name || name[0] != func[0] || strcmp(name, func) != 0 ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		if (!found || (has_size && sym.st_size == size)) {
			*ret = addr;
			found = true;
			if (!has_size || sym.st_size == size)
				return true;
		}
	}
	return found;
}

/* ---- address -> file:line + inline chain ---------------------------------- */

static const char *
strip_comp_dir(struct kt_report *r, Dwarf_Die *cu, const char *file)
{
	Dwarf_Attribute a;
	const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
	size_t dl = dir ? strlen(dir) : 0;

	if (dl && strncmp(file, dir, dl) == 0 && file[dl] == '/')
		file += dl + 1;
	return kt_report_strdup(r, file);
}

static void
call_site(struct kt_report *r, Dwarf_Die *cu, Dwarf_Die *inl, struct loc *ret)
{
	Dwarf_Attribute a;
	Dwarf_Word fidx = 0, line = 0;
	Dwarf_Files *files;
	size_t nfiles;
	const char *f = NULL;

	ret->file = NULL;
	ret->line = 0;
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &a), &line) == 0)
		ret->line = (int)line;
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &a), &fidx) == 0 &&
	    dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && fidx < nfiles)
		f = dwarf_filesrc(files, fidx, NULL, NULL);
	if (f)
		ret->file = strip_comp_dir(r, cu, f);
}

static bool
resolve(struct kt_report *r, Dwfl_Module *mod, Dwarf_Addr addr, struct resolved *out)
{
	Dwfl_Line *l = dwfl_module_getsrc(mod, addr);
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu;
	Dwarf_Die *scopes = NULL;
	struct loc cur = { NULL, 0 };
	int n, lineno = 0;
	const char *file;

	memset(out, 0, sizeof(*out));
	if (!l || !(file = dwfl_lineinfo(l, NULL, &lineno, NULL, NULL, NULL)))
		return false;
	cu = dwfl_module_addrdie(mod, addr, &bias);
	cur.file = cu ? strip_comp_dir(r, cu, file) : kt_report_strdup(r, file);
	cur.line = lineno;
	n = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
	for (int i = 0; i < n && out->n_inl < MAX_INLINE; i++) {
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram)
			break;
		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		out->inl_func[out->n_inl] = dwarf_diename(&scopes[i])
						   ? kt_report_strdup(r, dwarf_diename(&scopes[i]))
						   : "??";
		out->inl[out->n_inl++] = cur;
		call_site(r, cu, &scopes[i], &cur);
	}
	free(scopes);
	out->real = cur;
	return true;
}

/* Is this frame the faulting IP (exact address) rather than a return address? */
static bool
is_ip_frame(const struct kt_report *r, const struct kt_frame *f)
{
	return r->ip.present && r->ip.function && f->function &&
	       strcmp(r->ip.function, f->function) == 0 && r->ip.offset == f->offset;
}

/* ---- System.map ------------------------------------------------------------- */

struct mapsym {
	uint64_t addr;
	const char *name;	/* in the report arena */
};

static int
cmp_mapsym(const void *a, const void *b)
{
	const struct mapsym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "ffffffff81000000 T _text" lines; text symbols only. */
static int
load_system_map(struct symctx *s, const char *path, struct mapsym **ret, size_t *ret_n)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	struct mapsym *v = NULL;
	size_t n = 0, cap = 0, bytes = 0;

	if (!f)
		return kt_error(s->ctx, errno == ENOENT ? KT_ENOTFOUND : KT_EIO, "'%s': %s", path,
				strerror(errno));
	while (fgets(line, sizeof(line), f) && bytes < MAX_SYSMAP_BYTES) {
		uint64_t a;
		size_t used = kt_parse_hex(kt_str_cstr(line), &a);
		char type, name[512];

		bytes += strlen(line);
		if (used == 0 || sscanf(line + used, " %c %511s", &type, name) != 2)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = kt_realloc(v, cap * sizeof(*v));
		}
		v[n].addr = a;
		v[n++].name = kt_report_strdup(s->r, name);
	}
	(void)fclose(f);
	if (n == 0) {
		free(v);
		return kt_error(s->ctx, KT_EFORMAT, "'%s': no text symbols (not a System.map?)", path);
	}
	qsort(v, n, sizeof(*v), cmp_mapsym);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* "Kernel Offset: 0x6000000 from 0xffffffff81000000 (relocation range: ...)" */
static uint64_t
kaslr_offset(const struct kt_report *r)
{
	const char *p = r->kernel_offset ? strstr(r->kernel_offset, "0x") : NULL;
	uint64_t v = 0;

	if (p)
		(void)kt_parse_hex(kt_str_cstr(p), &v);
	return v;
}

static void
name_bare_frames(struct symctx *s, const char *path)
{
	struct mapsym *v = NULL;
	size_t n = 0;
	uint64_t off = kaslr_offset(s->r);

	int rc = load_system_map(s, path, &v, &n);

	if (rc != 0) {
		(void)keep_err(s, rc);
		return;
	}
	for (size_t i = 0; i < s->r->n_frames; i++) {
		struct kt_frame *f = &s->r->frames[i];
		uint64_t a = f->address - off;
		size_t lo = 0, hi = n;

		if (f->function || !f->address || f->module)
			continue;
		while (lo < hi) {	/* last symbol <= a */
			size_t mid = (lo + hi) / 2;

			if (v[mid].addr <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0 || a - v[lo - 1].addr > (1u << 20))
			continue;
		f->function = v[lo - 1].name;
		f->offset = a - v[lo - 1].addr;
		f->has_offset = true;
		if (lo < n)
			f->size = v[lo].addr - v[lo - 1].addr;
	}
	free(v);
}

/* ---- frames ----------------------------------------------------------------- */

/* A frame printed as a bare address: its symbol from vmlinux's symbol table
 * (addresses are runtime ones: undo the KASLR offset first). */
static void
name_from_vmlinux(struct symctx *s, struct kt_frame *f)
{
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(s->kernel, f->address - kaslr_offset(s->r), &off,
						&sym, NULL, NULL, NULL);

	if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
		return;
	f->function = kt_report_strdup(s->r, name);
	f->offset = off;
	f->size = sym.st_size;
	f->has_offset = true;
}

static void
symbolize_frames(struct symctx *s)
{
	struct kt_report *r = s->r;
	struct kt_frame *out = NULL;
	size_t n = 0, cap = 0;
	bool cut = false;

	for (size_t i = 0; i < r->n_frames; i++) {
		struct kt_frame f = r->frames[i];
		Dwfl_Module *mod = module_for(s, f.module);
		Dwarf_Addr base;
		struct resolved res;

		if (!f.function && f.address && !f.module && s->kernel)
			name_from_vmlinux(s, &f);
		/* f.file set: already symbolized (by us, or in the log itself) */
		if (mod && f.function && !f.inlined && !f.file &&
		    symbol_address(mod, f.function, f.size, f.has_offset, &base) &&
		    resolve(r, mod, base + f.offset - (is_ip_frame(r, &f) || !f.offset ? 0 : 1),
			    &res)) {
			for (size_t k = 0; k < res.n_inl && n < KT_MAX_FRAMES; k++) {
				struct kt_frame *in = kt_arena_push(r->arena, (void **)&out, &n,
								    &cap, sizeof(*in));

				*in = f;
				in->function = res.inl_func[k];
				in->offset = in->size = in->address = 0;
				in->has_offset = false;
				in->inlined = true;
				in->file = res.inl[k].file;
				in->line_no = res.inl[k].line;
			}
			f.file = res.real.file;
			f.line_no = res.real.line;
		}
		if (n < KT_MAX_FRAMES)
			*(struct kt_frame *)kt_arena_push(r->arena, (void **)&out, &n, &cap,
							  sizeof(f)) = f;
		else
			cut = true;
	}
	if (cut)
		kt_report_note(r, 0, KT_SEV_WARN, "decode: frames cut at %d after inserting "
						  "inlined frames", KT_MAX_FRAMES);
	r->frames = out;
	r->n_frames = n;
}

int
kt_symbolize(struct kt_ctx *ctx, struct kt_report *r, const struct kt_decode_opts *opts)
{
	struct symctx s = { .ctx = ctx, .r = r };

	if (!opts)
		return 0;
	if (opts->system_map)
		name_bare_frames(&s, opts->system_map);
	if (!opts->vmlinux && !opts->modules_dir)
		return s.err;
	s.dwfl = dwfl_begin(&offline_callbacks);
	if (!s.dwfl)
		return kt_error(ctx, KT_EUNSUPPORTED, "libdwfl: %s", dwfl_errmsg(-1));
	dwfl_report_begin(s.dwfl);
	if (opts->vmlinux)
		s.kernel = report_file(&s, "kernel", opts->vmlinux);
	if (opts->modules_dir)
		report_modules(&s, opts->modules_dir);
	(void)dwfl_report_end(s.dwfl, NULL, NULL);
	if (r->n_frames)
		symbolize_frames(&s);
	dwfl_end(s.dwfl);
	return s.err;
}
