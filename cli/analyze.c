/*
 * cli: `ktriage analyze` — parse, title and explain every crash in the named
 * logs, crash folders and status reports. Text for people, JSON for
 * machines (one document, or JSON Lines with one line per input).
 *
 * Several PATHs are analysed in parallel (-j): each worker thread has its
 * own context and analyzer (the library shares nothing between contexts).
 * Output stays in argument order and streams: the oldest unfinished job
 * (the "head") writes straight through; later jobs buffer their output
 * (up to JOB_BUF_CAP, then wait to become the head) and are written as soon
 * as every job before them is.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <ktriage/ktriage.h>

#include "commands.h"
#include "spool.h"
#include "util.h"

enum format { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_MD, FMT_HTML };

#define MAX_JOBS	64
#define JOB_BUF_CAP	(4u << 20)	/* buffered output of a job that is not the head */
#define JOB_WINDOW	64		/* jobs a worker may run ahead of the head, per worker */
#define PROGRESS_MIN_JOBS 20		/* fewer inputs than this: no progress line */
#define HOLD_MEM_CAP	(256u << 10)	/* text of one input held in memory for its verdict */
#define HOLD_CAP	((uint64_t)256 << 20) /* held in all (the rest in a temporary file) */

struct obuf {
	char *p;
	size_t len, cap;
};

/* One piece of a PATH argument (kt_analyze_split): a file, a crash folder,
 * an archive, or the argument itself. */
struct job {
	const char *path;
	unsigned flags;		/* kt_analyze_piece() flags */
	struct obuf out, err;	/* what is not yet written to stdout / stderr */
	size_t mark;		/* offset in `out` of the job's first unit (json) or
				 * first report header (text); SIZE_MAX = none yet */
	bool marked_direct;	/* the mark was resolved while writing through */
	size_t units, reports;	/* output so far by this job */
	bool done;
	int status;		/* 3 when PATH could not be read, or a unit failed */
	int out_status;		/* 3 when its text could not be held for the verdict */
	size_t incomplete;	/* units with problems that mean "not read fully" */
	struct kt_summary *sum;	/* text/md: what its units found */
	const struct kt_host_source *src; /* --host: a pstore record or journal boot */
	size_t text_units;	/* text/md: unit headers written */
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *jobs;
	size_t n_jobs;
	size_t next;		/* next job to take */
	size_t head;		/* oldest job not written out completely */
	size_t window;
	size_t units, reports;	/* written out, all jobs before head */
	enum format fmt;
	struct kt_render_opts ropts;
	const struct kt_analyze_opts *opts;
	const char *data_dir;
	struct kt_ctx *tables;	/* the first worker's context: the others share its tables */
	bool quiet;
	bool summary_only;	/* --summary: one line per bucket, no reports */
	bool summary_line;	/* --summary with jsonl: a last {"summary": ...} line */
	int warnings;
	size_t incomplete;	/* units not read fully, all jobs */
	bool go, abort;		/* workers may take jobs / must stop (set by main) */
	/* progress line on standard error (a terminal, many inputs) */
	bool progress, progress_shown;
	size_t jobs_done, reports_done;
	double t0, last;
};

/* Per-thread state: its own context and analyzer, the job it runs. */
struct worker {
	struct pool *P;
	struct kt_ctx *ctx;
	struct kt_analyzer *an;
	struct job *job;
	size_t unit_reports;	/* reports in the current unit so far */
	struct obuf probs;	/* the current unit's problems: text or JSON */
	size_t n_probs;
	struct kt_problem *hp;	/* html: the current unit's problems (copies) */
	size_t n_hp, cap_hp;
	bool unit_incomplete;
	bool unit_container;	/* an archive or directory, its units reported apart */
	/* text/md/html: the unit's reports, held back so that its verdict leads:
	 * HOLD_MEM_CAP in memory, the rest in a temporary file; written through
	 * once over HOLD_CAP or when the file fails (the verdict then closes) */
	struct kt_spool hold;
	bool unit_flushed;
	size_t probs_shown;	/* bytes of `probs` in the unit's header */
	bool last_repeat;	/* the last report was printed as a repeat line */
	struct kt_summary *usum;
	pthread_t tid;
	bool started;
};

static const char usage_text[] =
	"Usage: ktriage analyze [OPTIONS] [PATH...]\n"
	"\n"
	"Find every kernel or Xen crash in each PATH, parse it into a structured report,\n"
	"title it (syzkaller conventions), decode it and explain it with the knowledge base.\n"
	"\n"
	"PATH is a log file (dmesg, kern.log/syslog, journalctl -k output, serial console,\n"
	"kdump vmcore-dmesg.txt; gzip/xz/zstd/bzip2 compressed or not), '-' for standard\n"
	"input (looked at like a file: a tar.gz or zip works too), a XenServer crash folder\n"
	"(/var/crash/<timestamp>/ with xen.log and dom0.log), a status-report tarball or zip\n"
	"(archives inside it are read too, see --max-depth), or a directory (walked\n"
	"recursively).\n"
	"\n"
	"Without PATH: standard input when it is a pipe or a file, else this host's own\n"
	"crash material (as --host): XenServer/XCP-ng crash folders and kdump-tools /\n"
	"kexec-tools dmesg files under /var/crash, pstore records (/sys/fs/pstore,\n"
	"/var/lib/systemd/pstore; multi-part records stitched), the systemd journal's\n"
	"earlier boots (kernel messages), else /var/log/kern.log or /var/log/messages.\n"
	"The sources read are listed first.\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT      text (default), json (one document), jsonl (one line per\n"
	"                        input: {\"input\": PATH, \"reports\": [...]}, with\n"
	"                        \"problems\": [...] when it could not be read fully) or\n"
	"                        md (Markdown, for tickets and chat) or html (one\n"
	"                        self-contained page, no scripts; log text escaped;\n"
	"                        each input's crashes led by its verdict, as in text).\n"
	"                        In JSON each input has a \"verdict\" (the text's Verdict:\n"
	"                        rule, title, severity, confidence, first_step, crashes,\n"
	"                        buckets, raise, commands); json ends with the run's\n"
	"                        \"summary\" (inputs, crashes, buckets, findings_by_rule,\n"
	"                        by_bucket, verdict). Keys: docs/report-json.md\n"
	"      --summary         text/md: one line per bucket (crashes, first and last\n"
	"                        time, hosts, title, top finding) instead of the reports;\n"
	"                        jsonl: one more line at the end, {\"summary\": ...}, the\n"
	"                        run's summary as json has it (the input lines stay)\n"
	"      --width N         wrap lines at N columns (0 = never; default: the\n"
	"                        terminal's width, no wrapping for files and pipes)\n"
	"      --ascii           plain ASCII (default on a terminal whose locale is not UTF-8)\n"
	"  -j, --jobs N          analyse up to N PATHs at once (default: one per available\n"
	"                        CPU, at most 8; 1 = sequential). Output keeps PATH order.\n"
	"  -v, --verbose         text: all frames, all registers, parser notes\n"
	"      --color WHEN      auto (default: a terminal and no NO_COLOR), always, never\n"
	"      --host-facts FILE host facts for the rules: the JSON of 'ktriage net audit\n"
	"                        --format json' from the crashed host or pool\n"
	"      --rules DIR       add the rules in DIR to the built-in ones (repeatable)\n"
	"      --no-rules        skip the knowledge base\n"
	"      --vmlinux FILE    symbolize frames to file:line (with debug info)\n"
	"      --modules DIR     module .ko files with debug info, for [module] frames\n"
	"      --system-map FILE resolve bare addresses with a System.map\n"
	"      --data DIR        read knowledge files from DIR instead of the built-in copy\n"
	"  -q, --quiet           no warnings on standard error\n"
	"      --max-reports N   crashes reported per input (default 1000); more are counted\n"
	"                        and reported as a 'limit' problem\n"
	"      --max-members N   files and archive members examined per PATH (default\n"
	"                        100000); the rest is skipped with a 'limit' problem\n"
	"      --max-depth N     archives read inside archives (default 4; 0 = none); a\n"
	"                        deeper one is a 'too-deep' problem\n"
	"      --max-line BYTES  bytes kept per line (default 8192, 64 to 16777216); longer\n"
	"                        lines are cut, counted in a 'limit' problem\n"
	"      --max-bytes SIZE  bytes read per input, after decompression (default: no\n"
	"                        cap; K, M, G suffixes); for endless inputs (/dev/zero,\n"
	"                        a FIFO that never closes): the rest is a 'limit' problem\n"
	"      --fail-on WHAT    what the exit status reports: crash,problem (default),\n"
	"                        crash (1 or 0: problems are still printed), problem\n"
	"                        (3 or 0), or none (always 0 unless a usage error)\n"
	"      --no-progress     no progress line (shown on a terminal for 20 inputs or more)\n"
	"      --host            also read this host's crash sources (see above)\n"
	"      --root DIR        --host on a copy of a host's filesystem rooted at DIR\n"
	"      --all-boots       --host: the journal's running boot too\n"
	"  -h, --help            show this help\n"
	"\n"
	"Damaged input (see ktriage(1), ROBUSTNESS): a truncated or corrupt compressed\n"
	"stream or archive is analysed up to the damage; each input that could not be\n"
	"read fully gets a problem (truncated, corrupt, unreadable, too-deep, limit,\n"
	"unsupported) on its header line (text), in its \"problems\" (JSON), or in a\n"
	"section after its crashes (html: kind, member, offset, message).\n"
	"\n"
	"Exit status:\n"
	"  0  no crash found\n"
	"  1  at least one crash reported\n"
	"  2  usage error\n"
	"  3  some input could not be read fully (a problem), or a runtime error. This\n"
	"     takes precedence over 1: crashes found elsewhere are still reported, and\n"
	"     standard error ends with 'N inputs could not be read fully; M crashes\n"
	"     reported'. Use --fail-on crash for 1/0 about crashes alone.\n"
	"  An output write error (a full disk) ends with status 3 and a message.\n"
	"  Text, md and html hold an input's reports until it ends, so that its verdict\n"
	"  leads: past 256 KiB in an unlinked file in $TMPDIR (default /tmp). When that\n"
	"  file cannot be written (a full disk), the verdict follows the reports, and\n"
	"  the status is 3 with a message.\n"
	"\n"
	"Examples:\n"
	"  ktriage analyze /var/crash/2015-06-01-10-11-12/\n"
	"  journalctl -k -b -1 | ktriage analyze\n"
	"  ktriage analyze                    # this host: /var/crash, pstore, journal\n"
	"  ktriage analyze --summary --root /mnt/host1\n"
	"  ktriage analyze --format jsonl /srv/logs/*.log > crashes.jsonl\n";

/* ---- output buffers ------------------------------------------------------ */

static void
obuf_add(struct obuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			fputs("ktriage: out of memory\n", stderr);
			exit(3);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
obuf_puts(struct obuf *b, const char *s)
{
	obuf_add(b, s, strlen(s));
}

static void
obuf_printf(struct obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
obuf_printf(struct obuf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		obuf_add(b, small, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);

		if (!big) {
			fputs("ktriage: out of memory\n", stderr);
			exit(3);
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		obuf_add(b, big, (size_t)n);
		free(big);
	}
}

static void
obuf_free(struct obuf *b)
{
	free(b->p);
	*b = (struct obuf){ 0 };
}

/* ---- ordered output ------------------------------------------------------ */

/* The separator that goes before a job's first unit (json) or first report
 * (text), decided by what the jobs before it wrote. */
static const char *
separator(const struct pool *P)
{
	switch (P->fmt) {
	case FMT_JSON: return P->units ? "," : "";
	case FMT_TEXT: case FMT_MD: return P->reports ? "\n" : "";
	case FMT_JSONL: break;
	case FMT_HTML: break;
	}
	return "";
}

/* Lock held (or one thread). */
static void
clear_progress(struct pool *P)
{
	kt_cli_progress_clear(&P->progress_shown);
}

/* Lock held: "analyze: 120/1000 inputs, 37 crashes, 2.4 s", four times a
 * second at most. */
static void
show_progress(struct pool *P)
{
	double t = kt_cli_now();

	if (!P->progress || t - P->last < 0.25)
		return;
	P->last = t;
	fflush(stdout);
	fprintf(stderr, "\r\033[Kanalyze: %zu/%zu inputs, %zu crash%s, %.1f s", P->jobs_done,
		P->n_jobs, P->reports_done, P->reports_done == 1 ? "" : "es", t - P->t0);
	P->progress_shown = true;
}

/* Write the head job's pending output. Lock held. */
static void
write_out(struct pool *P, struct job *j)
{
	if (j->out.len || j->err.len)
		clear_progress(P);
	if (j->mark != SIZE_MAX && !j->marked_direct) {
		fwrite(j->out.p, 1, j->mark, stdout);
		fputs(separator(P), stdout);
		fwrite(j->out.p + j->mark, 1, j->out.len - j->mark, stdout);
		j->marked_direct = true;
	} else if (j->out.len) {
		fwrite(j->out.p, 1, j->out.len, stdout);
	}
	if (j->err.len) {
		fflush(stdout);
		fwrite(j->err.p, 1, j->err.len, stderr);
	}
	kt_cli_check_output();
	j->out.len = j->err.len = 0;
	if (j->mark != SIZE_MAX)
		j->mark = 0;
}

/* Called by a worker at the points its job's output may go out: writes it
 * through when the job is the head, waits when too much is buffered. */
static void
job_sync(struct pool *P, struct job *j)
{
	size_t idx = (size_t)(j - P->jobs);

	pthread_mutex_lock(&P->lock);
	while (idx != P->head && j->out.len + j->err.len > JOB_BUF_CAP)
		pthread_cond_wait(&P->cond, &P->lock);
	if (idx == P->head)
		write_out(P, j);
	pthread_mutex_unlock(&P->lock);
}

/* The job's first unit / report header starts here. */
static void
job_mark(struct job *j)
{
	if (j->mark == SIZE_MAX)
		j->mark = j->out.len;
}

/* A job finished: write out every finished job from the head on. */
static void
job_done(struct pool *P, struct job *j)
{
	pthread_mutex_lock(&P->lock);
	j->done = true;
	P->jobs_done++;
	P->reports_done += j->reports;
	P->incomplete += j->incomplete;
	while (P->head < P->n_jobs && P->jobs[P->head].done) {
		struct job *h = &P->jobs[P->head];

		write_out(P, h);
		P->units += h->units;
		P->reports += h->reports;
		obuf_free(&h->out);
		obuf_free(&h->err);
		P->head++;
	}
	show_progress(P);
	pthread_cond_broadcast(&P->cond);
	pthread_mutex_unlock(&P->lock);
}

/* ---- rendering (into the job's buffer) ----------------------------------- */

static void
put_json_string(struct obuf *b, const char *s)
{
	json_t *j = json_string(s);
	char *enc = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;

	obuf_puts(b, enc ? enc : "null");
	free(enc);
	json_decref(j);
}

static void
json_unit_open(struct pool *P, struct job *j, const char *unit)
{
	job_mark(j);
	if (P->fmt == FMT_JSON)
		obuf_puts(&j->out, j->units ? ",\n  {\"input\": " : "\n  {\"input\": ");
	else
		obuf_puts(&j->out, "{\"input\":");
	put_json_string(&j->out, unit);
	obuf_puts(&j->out, P->fmt == FMT_JSON ? ", \"reports\": [" : ",\"reports\":[");
}

static void
json_unit_close(struct pool *P, struct job *j, int status, const char *msg,
		const struct obuf *probs, const struct kt_summary *sum, const char *unit)
{
	char *v;

	obuf_puts(&j->out, "]");
	if (probs && probs->len) {
		obuf_puts(&j->out, P->fmt == FMT_JSON ? ", \"problems\": [" : ",\"problems\":[");
		obuf_add(&j->out, probs->p, probs->len);
		obuf_puts(&j->out, "]");
	}
	if (status) {
		obuf_puts(&j->out, P->fmt == FMT_JSON ? ", \"error\": " : ",\"error\":");
		put_json_string(&j->out, msg);
	}
	/* the input's verdict (docs/report-json.md, VERDICT) */
	v = kt_summary_verdict_json(sum, unit, P->fmt == FMT_JSON ? 2 : 0);
	obuf_puts(&j->out, P->fmt == FMT_JSON ? ", \"verdict\": " : ",\"verdict\":");
	obuf_puts(&j->out, v ? v : "null");
	free(v);
	obuf_puts(&j->out, P->fmt == FMT_JSON ? "}" : "}\n");
	j->units++;
}

static bool
is_text(const struct pool *P)
{
	return P->fmt == FMT_TEXT || P->fmt == FMT_MD;
}

static bool
is_json(const struct pool *P)
{
	return P->fmt == FMT_JSON || P->fmt == FMT_JSONL;
}

/* "== unit ==" (text) or "## unit" (md), after the job's earlier units. */
static void
unit_header(struct pool *P, struct job *j, const char *unit, const char *probs)
{
	if (j->text_units++)
		obuf_puts(&j->out, "\n");
	else
		job_mark(j);
	if (P->fmt == FMT_MD) {
		obuf_puts(&j->out, "## `");
		for (const char *p = unit; *p; p++)
			obuf_add(&j->out, *p == '`' || *p == '\n' ? "'" : p, 1);
		obuf_puts(&j->out, "`\n\n");
		if (probs)
			obuf_printf(&j->out, "**Incomplete:** %s\n\n", probs);
	} else if (probs) {
		obuf_printf(&j->out, "== %s (incomplete: %s) ==\n\n", unit, probs);
	} else {
		obuf_printf(&j->out, "== %s ==\n\n", unit);
	}
}

static void
put_verdict(struct pool *P, struct obuf *b, const struct kt_summary *s, const char *unit)
{
	char *v = P->fmt == FMT_HTML ? kt_summary_verdict_html(s, unit)
		: kt_summary_verdict(s, unit, P->fmt == FMT_MD ? KT_SUMMARY_MD : KT_SUMMARY_TEXT,
				     &P->ropts);

	if (v)
		obuf_puts(b, v);
	free(v);
}

/* kt_spool_drain's sink: a piece of the held text goes to the job's
 * output, and out (or the worker waits) before the next is read. */
static void
hold_put(void *ud, const char *p, size_t n)
{
	struct worker *w = ud;

	obuf_add(&w->job->out, p, n);
	job_sync(w->P, w->job);
}

/* Write the unit's held-back text to the job: header (text, md), verdict
 * (when the unit is complete), reports. */
static void
unit_flush(struct worker *w, const char *unit, bool complete)
{
	struct pool *P = w->P;
	struct job *j = w->job;
	uint64_t lost = 0;
	int e;

	if (P->fmt == FMT_HTML) {
		if (complete)
			put_verdict(P, &j->out, w->usum, unit);
	} else {
		unit_header(P, j, unit, w->n_probs ? w->probs.p : NULL);
		w->probs_shown = w->probs.len;
		if (complete) {
			put_verdict(P, &j->out, w->usum, unit);
			obuf_puts(&j->out, "\n");
		}
	}
	e = kt_spool_drain(&w->hold, hold_put, w, &lost);
	if (e) {
		obuf_printf(&j->err, "ktriage analyze: %s: reading its reports back from the "
			    "temporary file in %s: %s; %llu bytes of them lost\n", unit,
			    w->hold.where, strerror(e), (unsigned long long)lost);
		j->out_status = 3;
	}
	w->unit_flushed = true;
}

/* text/md/html: hold a report's text (after `sep`) back for the unit's verdict.
 * Past HOLD_CAP, or when the temporary file cannot be made or written (a
 * full disk: said on standard error, exit status 3), the unit is written
 * out now, verdict last: nothing is lost. */
static void
hold(struct worker *w, const char *unit, const char *sep, const char *s)
{
	struct job *j = w->job;
	int e = kt_spool_add(&w->hold, sep, strlen(sep));

	if (!e)
		e = kt_spool_add(&w->hold, s, strlen(s));
	if (!e && kt_spool_size(&w->hold) <= HOLD_CAP)
		return;
	if (e) {
		obuf_printf(&j->err, "ktriage analyze: %s: cannot hold its reports back for the "
			    "verdict (temporary file in %s: %s): the verdict follows them\n", unit,
			    w->hold.where ? w->hold.where : "$TMPDIR", strerror(e));
		j->out_status = 3;
	} else if (!w->P->quiet) {
		obuf_printf(&j->err, "ktriage analyze: %s: more than %llu MiB of reports: the "
			    "verdict follows them\n", unit, (unsigned long long)(HOLD_CAP >> 20));
	}
	unit_flush(w, unit, false);
	job_sync(w->P, j);
}

/* html: keep a copy of a problem of the current unit. */
static void
html_problem_keep(struct worker *w, const struct kt_problem *p)
{
	if (w->n_hp == w->cap_hp) {
		size_t cap = w->cap_hp ? 2 * w->cap_hp : 8;
		struct kt_problem *v = realloc(w->hp, cap * sizeof(*v));

		if (!v) {
			fputs("ktriage: out of memory\n", stderr);
			exit(3);
		}
		w->hp = v;
		w->cap_hp = cap;
	}
	w->hp[w->n_hp] = *p;
	w->hp[w->n_hp].member = p->member ? strdup(p->member) : NULL;
	w->hp[w->n_hp].message = strdup(p->message ? p->message : "");
	w->n_hp++;
}

/* html: the unit's problems as a section of the page, after its reports
 * (they are known at its end); then forget them. */
static void
html_problems_out(struct worker *w, struct job *j, const char *unit)
{
	char *s = w->n_hp ? kt_render_html_problems(unit, w->hp, w->n_hp) : NULL;

	if (s)
		obuf_puts(&j->out, s);
	free(s);
	for (size_t i = 0; i < w->n_hp; i++) {
		free((char *)w->hp[i].member);
		free((char *)w->hp[i].message);
	}
	w->n_hp = 0;
}

static void
unit_begin(void *ud, const char *unit)
{
	struct worker *w = ud;

	w->unit_reports = 0;
	w->probs.len = 0;
	w->n_probs = 0;
	w->unit_incomplete = false;
	w->unit_container = false;
	w->unit_flushed = false;
	w->probs_shown = 0;
	w->last_repeat = false;
	w->usum = kt_summary_new();
	if (is_json(w->P))
		json_unit_open(w->P, w->job, unit);
}

/* A crash of a bucket already shown in full for this input. */
static char *
repeat_line(const struct pool *P, const struct kt_report *r)
{
	char ts[40] = "";
	char *s = NULL;

	if (r->source.wallclock)
		snprintf(ts, sizeof(ts), " %.32s", r->source.wallclock);
	else if (r->source.timestamp >= 0)
		snprintf(ts, sizeof(ts), " [%.6f]", r->source.timestamp);
	if (asprintf(&s, "%s%s again%s, %s:%u-%u (bucket %s, shown above; --verbose shows "
		     "each in full)\n", P->fmt == FMT_MD ? "- " : "",
		     r->title ? r->title : "(untitled crash)", ts,
		     r->source.file ? r->source.file : "?", r->source.first_line,
		     r->source.last_line, r->bucket) < 0)
		return NULL;
	return P->ropts.width > 0 || P->ropts.ascii
		       ? kt_render_fit(s, P->ropts.width, P->ropts.ascii) : s;
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct worker *w = ud;
	struct pool *P = w->P;
	struct job *j = w->job;
	char *s;

	w->unit_reports++;
	if (P->fmt == FMT_HTML) {
		/* held, as text is, so that the input's verdict leads */
		kt_summary_add(w->usum, unit, r);
		s = kt_render_html_article(r);
		kt_report_free(r);
		if (!j->reports)
			job_mark(j);
		j->reports++;
		if (w->unit_flushed) {
			obuf_puts(&j->out, s ? s : "");
			job_sync(P, j);
		} else {
			hold(w, unit, "", s ? s : "");
		}
		free(s);
		return;
	} else if (is_text(P)) {
		kt_summary_add(w->usum, unit, r);
		j->reports++;
		if (P->summary_only) {
			kt_report_free(r);
			return;
		}
		bool repeat = !P->ropts.verbose && kt_summary_bucket_count(w->usum, r) > 1;
		/* consecutive repeats: one line each, no blank line between */
		bool tight = repeat && w->last_repeat;

		w->last_repeat = repeat;
		if (repeat)
			s = repeat_line(P, r);	/* the same bug again: one line */
		else
			s = P->fmt == FMT_MD ? kt_render_md(r, &P->ropts)
					     : kt_render_text(r, &P->ropts);
		if (w->unit_flushed) {
			if (!tight)
				obuf_puts(&j->out, "\n");
			obuf_puts(&j->out, s ? s : "");
			free(s);
			kt_report_free(r);
			job_sync(P, j);
			return;
		}
		kt_report_free(r);
		hold(w, unit, w->unit_reports > 1 && !tight ? "\n" : "", s ? s : "");
		free(s);
		return;
	} else {
		kt_summary_add(w->usum, unit, r);
		s = kt_render_json(r, P->fmt == FMT_JSON ? 2 : 0);
		if (w->unit_reports > 1)
			obuf_puts(&j->out, ",");
	}
	j->reports++;
	if (s)
		obuf_puts(&j->out, s);
	free(s);
	kt_report_free(r);
	job_sync(P, j);
}

static void
unit_end(void *ud, const char *unit, int status)
{
	struct worker *w = ud;
	struct pool *P = w->P;

	if (status)
		w->job->status = 3;
	if (w->unit_incomplete) {
		w->job->status = 3;
		w->job->incomplete++;
	}
	if (is_text(P)) {
		struct job *j = w->job;

		kt_summary_input(w->usum, unit, !status && !w->unit_incomplete,
				 status ? kt_strerror(status) : w->n_probs ? w->probs.p : NULL);
		if (P->summary_only) {
			/* nothing per unit */
		} else if (w->unit_reports && !w->unit_flushed) {
			unit_flush(w, unit, true);
		} else if (w->unit_reports) {
			obuf_puts(&j->out, "\n");
			if (w->probs.len > w->probs_shown)	/* met after the header went out */
				obuf_printf(&j->out, P->fmt == FMT_MD ? "**Incomplete:** %s\n\n"
					    : "Incomplete: %s\n\n", w->probs.p + w->probs_shown +
					    (w->probs_shown ? 2 : 0));
			put_verdict(P, &j->out, w->usum, unit);
		} else if (w->n_probs && !w->unit_incomplete) {
			obuf_printf(&j->out, "%s: %s\n", unit, w->probs.p);
		} else if (w->n_probs && w->unit_container) {
			obuf_printf(&j->out, "%s: could not be read fully: %s\n", unit, w->probs.p);
		} else if (w->n_probs) {
			obuf_printf(&j->out, "%s: no crash found in what could be read "
				    "(incomplete: %s)\n", unit, w->probs.p);
		} else if (!status) {
			obuf_printf(&j->out, "%s: no crash found\n", unit);
		}
		kt_summary_move(j->sum, w->usum);
		kt_summary_free(w->usum);
		w->usum = NULL;
	} else if (P->fmt == FMT_HTML) {
		/* its verdict, its reports, its problems; a unit without a crash
		 * or a problem leaves no trace in the page */
		if (w->unit_reports && !w->unit_flushed)
			unit_flush(w, unit, true);
		else if (w->unit_reports)
			put_verdict(P, &w->job->out, w->usum, unit);
		html_problems_out(w, w->job, unit);
		kt_summary_free(w->usum);
		w->usum = NULL;
	} else {
		kt_summary_input(w->usum, unit, !status && !w->unit_incomplete,
				 status ? kt_strerror(status) : NULL);
		json_unit_close(P, w->job, status, kt_strerror(status), &w->probs, w->usum, unit);
		kt_summary_move(w->job->sum, w->usum);
		kt_summary_free(w->usum);
		w->usum = NULL;
	}
	w->probs.len = 0;
	w->n_probs = 0;
	job_sync(P, w->job);
}

/* A problem of the current unit: kept for its header line (text), its
 * "problems" array (JSON) or its section of the page (html). */
static void
on_problem(void *ud, const char *unit, const struct kt_problem *p)
{
	struct worker *w = ud;
	struct obuf *b = &w->probs;

	(void)unit;
	if (kt_problem_incomplete(p->kind))
		w->unit_incomplete = true;
	if (p->container)
		w->unit_container = true;
	if (is_text(w->P)) {
		if (w->n_probs)
			obuf_puts(b, "; ");
		if (p->kind == KT_PROBLEM_EMPTY) {
			obuf_puts(b, p->message);
		} else {
			obuf_puts(b, kt_problem_kind_name(p->kind));
			if (p->member)
				obuf_printf(b, " in '%s'", p->member);
			if (p->offset >= 0)
				obuf_printf(b, " at byte %lld", (long long)p->offset);
			obuf_printf(b, ": %s", p->message);
		}
	} else if (w->P->fmt == FMT_HTML) {
		html_problem_keep(w, p);
	} else {
		if (w->n_probs)
			obuf_puts(b, ", ");
		obuf_puts(b, "{\"kind\": ");
		put_json_string(b, kt_problem_kind_name(p->kind));
		obuf_puts(b, ", \"member\": ");
		if (p->member)
			put_json_string(b, p->member);
		else
			obuf_puts(b, "null");
		if (p->offset >= 0)
			obuf_printf(b, ", \"offset\": %lld", (long long)p->offset);
		else
			obuf_puts(b, ", \"offset\": null");
		obuf_puts(b, ", \"message\": ");
		put_json_string(b, p->message);
		obuf_puts(b, "}");
	}
	w->n_probs++;
}

/* Library diagnostics go to the job's stderr buffer, in order. */
static void
on_diag(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	struct worker *w = ud;

	if (sev >= KT_SEV_WARN)
		__atomic_add_fetch(&w->P->warnings, 1, __ATOMIC_RELAXED);
	if (!w->job) {
		kt_cli_print_diag(NULL, sev, what, msg);
		return;
	}
	obuf_printf(&w->job->err, "ktriage: %s%s%s: %s\n", what ? what : "", what ? ": " : "",
		    kt_sev_name(sev), msg);
}

/* ---- workers ------------------------------------------------------------- */

/* The worker's context. Only the first worker reports what loading the
 * knowledge says (the others would repeat it): the others get their
 * diagnostics sink once their analyzer is made. */
static void
worker_ctx(struct worker *w, bool first)
{
	w->ctx = kt_ctx_new();
	if (!w->P->quiet && first)
		kt_ctx_set_diag(w->ctx, on_diag, w);
	if (w->P->data_dir)
		kt_ctx_set_data_dir(w->ctx, w->P->data_dir);
	/* one copy of the compiled tables for all workers (read-only) */
	if (!first && w->P->tables)
		(void)kt_ctx_share_tables(w->ctx, w->P->tables);
}

static int
worker_init(struct worker *w, bool first)
{
	int rc;

	if (!w->ctx)
		worker_ctx(w, first);
	rc = kt_analyzer_new(w->ctx, w->P->opts, &w->an);
	if (!rc && !w->P->quiet && !first)
		kt_ctx_set_diag(w->ctx, on_diag, w);
	if (!rc)
		kt_analyzer_set_problem_fn(w->an, on_problem, w);
	return rc;
}

static void
worker_fini(struct worker *w)
{
	kt_analyzer_free(w->an);
	kt_ctx_free(w->ctx);
	obuf_free(&w->probs);
	kt_spool_deinit(&w->hold);
	free(w->hp);
	w->an = NULL;
	w->ctx = NULL;
}

/* A host source without a file of its own: its text, made now. */
static int
analyze_source(struct worker *w, struct job *j, const struct kt_analyze_cb *cb)
{
	char *text = NULL;
	size_t len = 0;
	int rc = kt_host_source_load(w->ctx, j->src, &text, &len);

	if (!rc)
		rc = kt_analyze_text(w->an, j->src->name, text, len, cb);
	free(text);
	return rc;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct pool *P = w->P;
	struct kt_analyze_cb cb = { unit_begin, on_report, unit_end, w };

	int init = w->an ? 0 : worker_init(w, false);

	/* start only once the first analyzer is made (it reports bad options) */
	pthread_mutex_lock(&P->lock);
	while (!P->go && !P->abort)
		pthread_cond_wait(&P->cond, &P->lock);
	pthread_mutex_unlock(&P->lock);
	if (init || P->abort)
		return NULL;	/* the first worker reported the problem */
	for (;;) {
		struct job *j;
		int rc;

		pthread_mutex_lock(&P->lock);
		while (P->next < P->n_jobs && P->next >= P->head + P->window)
			pthread_cond_wait(&P->cond, &P->lock);
		if (P->next >= P->n_jobs) {
			pthread_mutex_unlock(&P->lock);
			break;
		}
		j = &P->jobs[P->next++];
		pthread_mutex_unlock(&P->lock);

		w->job = j;
		if (j->src)
			rc = analyze_source(w, j, &cb);
		else
			rc = kt_analyze_piece(w->an, j->path, j->flags, &cb);
		if (rc) {
			struct kt_problem pr = {
				rc == KT_EFORMAT ? KT_PROBLEM_UNSUPPORTED : KT_PROBLEM_UNREADABLE,
				NULL, -1, kt_ctx_errmsg(w->ctx), 0
			};

			obuf_printf(&j->err, "ktriage analyze: %s\n", kt_ctx_errmsg(w->ctx));
			j->status = 3;
			j->incomplete++;
			kt_summary_input(j->sum, j->path, false, kt_ctx_errmsg(w->ctx));
			if (P->fmt == FMT_JSON || P->fmt == FMT_JSONL) {
				json_unit_open(P, j, j->path);
				w->probs.len = 0;
				w->n_probs = 0;
				on_problem(w, j->path, &pr);
				json_unit_close(P, j, rc, kt_ctx_errmsg(w->ctx), &w->probs, NULL,
						j->path);
				w->probs.len = 0;
				w->n_probs = 0;
			} else if (P->fmt == FMT_HTML) {
				html_problem_keep(w, &pr);
				html_problems_out(w, j, j->path);
			}
		}
		w->job = NULL;
		job_done(P, j);
	}
	return NULL;
}

struct joblist {
	struct job *v;
	size_t n, cap;
};

static int add_job(void *ud, const char *path, unsigned flags);

/* --host / --root: the host's crash sources become jobs; say which were
 * found (stdout for text and md, standard error for JSON) and what was
 * left out. */
static int
host_jobs(struct kt_ctx *ctx, const char *root, bool all_boots, enum format fmt, bool quiet,
	  struct joblist *L, struct kt_host_sources **ret)
{
	struct kt_host_sources *S = NULL;
	FILE *out = fmt == FMT_TEXT || fmt == FMT_MD ? stdout : stderr;
	bool say = out == stdout || !quiet;
	int rc = kt_host_discover(ctx, root, all_boots ? KT_HOST_ALL_BOOTS : 0, &S);

	if (rc)
		return rc;
	*ret = S;
	if (say) {
		fprintf(out, "%sCrash sources %s%s%s:\n", fmt == FMT_MD ? "**" : "",
			root ? "under " : "on this host", root ? root : "", fmt == FMT_MD ? "**\n" : "");
		if (!S->n)
			fprintf(out, "%snone (looked in /var/crash, /sys/fs/pstore, /var/lib/systemd/pstore, "
				"the journal, /var/log/kern.log and /var/log/messages)\n",
				fmt == FMT_MD ? "- " : "  ");
	}
	for (size_t i = 0; i < S->n; i++) {
		const struct kt_host_source *s = &S->v[i];

		if (say)
			fprintf(out, "%s%-12s %s%s%s\n", fmt == FMT_MD ? "- " : "  ",
				kt_host_kind_name(s->kind), s->name, s->detail ? "  " : "",
				s->detail ? s->detail : "");
		if (add_job(L, s->path ? s->path : s->name, 0) != 0)
			return KT_ENOMEM;
		L->v[L->n - 1].src = s->path ? NULL : s;
	}
	for (size_t i = 0; say && i < S->n_notes; i++)
		fprintf(out, "%snot read: %s\n", fmt == FMT_MD ? "- " : "  ", S->notes[i]);
	if (say)
		fputs("\n", out);
	return 0;
}

static int
add_job(void *ud, const char *path, unsigned flags)
{
	struct joblist *L = ud;

	if (L->n == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 64;
		struct job *v = realloc(L->v, cap * sizeof(*v));

		if (!v)
			return KT_ENOMEM;
		L->v = v;
		L->cap = cap;
	}
	L->v[L->n++] = (struct job){ .path = strdup(path), .flags = flags, .mark = SIZE_MAX,
				     .sum = kt_summary_new() };
	return L->v[L->n - 1].path ? 0 : KT_ENOMEM;
}

/* A cap option: a whole number in [lo, hi]. Returns 0, or 1 after a
 * message. */
static int
cap_arg(const char *name, const char *arg, unsigned long lo, unsigned long hi, size_t *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg == '\0' || *arg == '-' || *end || errno || v < lo || v > hi) {
		fprintf(stderr, "ktriage analyze: %s takes a number from %lu to %lu\n", name, lo,
			hi);
		return 1;
	}
	*ret = (size_t)v;
	return 0;
}

/* Standard input is a pipe, a file or a socket: something was given to
 * read (a terminal or /dev/null, as under cron or systemd, is not). */
static bool
stdin_piped(void)
{
	struct stat st;

	return fstat(STDIN_FILENO, &st) == 0 &&
	       (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Wrap to the terminal's width and write plain ASCII when the locale's
 * character set is not UTF-8, for a terminal only (files and pipes get the
 * text as is), unless --width / --ascii say otherwise. */
static void
terminal_fit(struct kt_render_opts *o, int width, int ascii)
{
	bool tty = isatty(STDOUT_FILENO);

	if (width < 0 && tty) {
		struct winsize ws;

		width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 0;
	}
	if (ascii < 0 && tty) {
		const char *cs = setlocale(LC_CTYPE, "") ? nl_langinfo(CODESET) : "";

		ascii = strcmp(cs, "UTF-8") != 0;
	}
	o->width = width > 0 ? width : 0;
	o->ascii = ascii > 0;
}

/* What every job found, counted together (moved out of the jobs: this is
 * their last use). Caller frees. */
static struct kt_summary *
run_summary(struct pool *P)
{
	struct kt_summary *all = kt_summary_new();

	for (size_t i = 0; i < P->n_jobs; i++)
		kt_summary_move(all, P->jobs[i].sum);
	return all;
}

/* The run's summary as JSON (NULL when it cannot be made), indented. */
static char *
run_summary_json(struct pool *P, int indent)
{
	struct kt_summary *all = run_summary(P);
	char *t = kt_summary_closing_json(all, indent);

	kt_summary_free(all);
	return t;
}

/* --format json: close "inputs", then the run's summary and verdict. */
static void
print_json_tail(struct pool *P)
{
	char *t = run_summary_json(P, 2);

	printf("\n], \"summary\": %s}\n", t ? t : "null");
	free(t);
}

/* --format jsonl --summary: the run's summary as a last line. */
static void
print_jsonl_summary(struct pool *P)
{
	char *t = run_summary_json(P, 0);

	printf("{\"summary\":%s}\n", t ? t : "null");
	free(t);
}

/* After every job: --summary's bucket lines, then the closing summary. */
static void
print_summary(struct pool *P)
{
	struct kt_summary *all = run_summary(P);
	enum kt_summary_fmt f = P->fmt == FMT_MD ? KT_SUMMARY_MD : KT_SUMMARY_TEXT;
	char *t;

	if (P->summary_only) {
		t = kt_summary_buckets(all, f, &P->ropts);
		fputs(t ? t : "", stdout);
		if (t && *t)
			fputs("\n", stdout);
		free(t);
	} else if (P->units || P->reports || P->n_jobs) {
		fputs("\n", stdout);
	}
	t = kt_summary_closing(all, f, &P->ropts);
	fputs(t ? t : "", stdout);
	free(t);
	kt_summary_free(all);
}

static size_t
default_jobs(size_t n_paths)
{
	cpu_set_t set;
	size_t n = 1;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = (size_t)CPU_COUNT(&set);
	if (n > 8)
		n = 8;
	if (n > n_paths)
		n = n_paths;
	return n ? n : 1;
}

int
kt_cli_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "color", required_argument, NULL, 'C' },
		{ "host-facts", required_argument, NULL, 'H' },
		{ "rules", required_argument, NULL, 'R' },
		{ "no-rules", no_argument, NULL, 'N' },
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "modules", required_argument, NULL, 'M' },
		{ "system-map", required_argument, NULL, 'S' },
		{ "data", required_argument, NULL, 'D' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "max-reports", required_argument, NULL, 1001 },
		{ "max-members", required_argument, NULL, 1002 },
		{ "max-depth", required_argument, NULL, 1003 },
		{ "max-line", required_argument, NULL, 1004 },
		{ "fail-on", required_argument, NULL, 1005 },
		{ "max-bytes", required_argument, NULL, 1006 },
		{ "summary", no_argument, NULL, 's' },
		{ "host", no_argument, NULL, 'O' },
		{ "root", required_argument, NULL, 'T' },
		{ "all-boots", no_argument, NULL, 'B' },
		{ "ascii", no_argument, NULL, 'A' },
		{ "width", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	struct kt_analyze_opts opts = { 0 };
	const char *rule_dirs[17] = { 0 };
	size_t n_rule_dirs = 0, n_workers = 0;
	struct joblist L = { 0 };
	const char *color = "auto";
	struct pool P = { .fmt = FMT_TEXT };
	struct worker *workers;
	int c, status = 0, out_status = 0, stdin_paths = 0;
	bool no_progress = false, fail_crash = true, fail_problem = true;
	int ascii = -1, width = -1;	/* -1: decided by the terminal and locale */
	bool host = false, all_boots = false;
	const char *root = NULL;
	struct kt_host_sources *sources = NULL;
	char *stdin_arg[] = { (char *)"-", NULL };

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:j:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				P.fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				P.fmt = FMT_JSON;
			else if (!strcmp(optarg, "jsonl"))
				P.fmt = FMT_JSONL;
			else if (!strcmp(optarg, "md"))
				P.fmt = FMT_MD;
			else if (!strcmp(optarg, "html"))
				P.fmt = FMT_HTML;
			else {
				fprintf(stderr, "ktriage analyze: unknown format '%s' (text, json, jsonl, md, html)\n", optarg);
				return 2;
			}
			break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end || v < 1 || v > MAX_JOBS) {
				fprintf(stderr, "ktriage analyze: --jobs takes a number from 1 to %d\n",
					MAX_JOBS);
				return 2;
			}
			n_workers = (size_t)v;
			break;
		}
		case 'v': P.ropts.verbose = true; break;
		case 'q': P.quiet = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'C': color = optarg; break;
		case 'H': opts.host_facts = optarg; break;
		case 'R':
			if (n_rule_dirs + 1 >= sizeof(rule_dirs) / sizeof(rule_dirs[0])) {
				fprintf(stderr, "ktriage analyze: too many --rules\n");
				return 2;
			}
			rule_dirs[n_rule_dirs++] = optarg;
			break;
		case 'N': opts.no_diagnose = true; break;
		case 'V': opts.vmlinux = optarg; break;
		case 'M': opts.modules_dir = optarg; break;
		case 'S': opts.system_map = optarg; break;
		case 'D': P.data_dir = optarg; break;
		case 'P': no_progress = true; break;
		case 1001:
			if (cap_arg("--max-reports", optarg, 1, 10000000, &opts.max_reports))
				return 2;
			break;
		case 1002:
			if (cap_arg("--max-members", optarg, 1, 100000000, &opts.max_members))
				return 2;
			break;
		case 1003:
			if (cap_arg("--max-depth", optarg, 0, 16, &opts.max_depth))
				return 2;
			if (opts.max_depth == 0)	/* 0 means "default" in the library */
				opts.max_depth = SIZE_MAX;
			break;
		case 1004:
			if (cap_arg("--max-line", optarg, 64, 16u << 20, &opts.max_line))
				return 2;
			break;
		case 1006: {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (*end == 'K' || *end == 'k')
				v <<= 10, end++;
			else if (*end == 'M')
				v <<= 20, end++;
			else if (*end == 'G')
				v <<= 30, end++;
			if (*optarg == '\0' || *optarg == '-' || *end || errno || v == 0) {
				fprintf(stderr, "ktriage analyze: --max-bytes takes a size in bytes "
					"(K, M or G suffix allowed), more than 0\n");
				return 2;
			}
			opts.max_bytes = v;
			break;
		}
		case 1005:
			if (!strcmp(optarg, "crash,problem") || !strcmp(optarg, "problem,crash")) {
				fail_crash = fail_problem = true;
			} else if (!strcmp(optarg, "crash")) {
				fail_crash = true;
				fail_problem = false;
			} else if (!strcmp(optarg, "problem")) {
				fail_crash = false;
				fail_problem = true;
			} else if (!strcmp(optarg, "none")) {
				fail_crash = fail_problem = false;
			} else {
				fprintf(stderr, "ktriage analyze: --fail-on takes crash, problem, "
					"crash,problem or none\n");
				return 2;
			}
			break;
		case 's': P.summary_only = true; break;
		case 'O': host = true; break;
		case 'T': root = optarg; host = true; break;
		case 'B': all_boots = true; break;
		case 'A': ascii = 1; break;
		case 'W': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end || v < 0 || v > 1000) {
				fputs("ktriage analyze: --width takes a number from 0 (never wrap) to 1000\n",
				      stderr);
				return 2;
			}
			width = (int)v;
			break;
		}
		default:
			fputs("Try 'ktriage analyze --help'.\n", stderr);
			return 2;
		}
	}
	if (optind >= argc && !host) {
		/* no PATH: what is piped in, else this host's crash sources */
		if (stdin_piped()) {
			argv = stdin_arg;
			argc = 1;
			optind = 0;
		} else {
			host = true;
		}
	}
	for (int i = optind; i < argc; i++)
		stdin_paths += !strcmp(argv[i], "-");
	if (stdin_paths > 1) {
		fputs("ktriage analyze: '-' (standard input) given more than once\n", stderr);
		return 2;
	}
	c = kt_cli_color(color, stdout);
	if (c < 0) {
		fprintf(stderr, "ktriage analyze: --color takes auto, always or never\n");
		return 2;
	}
	P.ropts.color = c == 1;
	if (P.summary_only && P.fmt == FMT_JSONL) {
		P.summary_only = false;
		P.summary_line = true;
	}
	if (P.summary_only && !is_text(&P)) {
		fputs("ktriage analyze: --summary is for text, md or jsonl (json always ends with "
		      "its summary)\n", stderr);
		return 2;
	}
	terminal_fit(&P.ropts, width, ascii);
	opts.rule_dirs = rule_dirs;
	{
		struct kt_ctx *cc = kt_ctx_new();
		struct stat st;

		if (kt_analyze_opts_check(cc, &opts) < 0) {
			fprintf(stderr, "ktriage analyze: %s\n", kt_ctx_errmsg(cc));
			kt_ctx_free(cc);
			return 2;
		}
		kt_ctx_free(cc);
		if (P.data_dir && stat(P.data_dir, &st) != 0) {
			fprintf(stderr, "ktriage analyze: --data '%s': %s\n", P.data_dir,
				strerror(errno));
			return 2;
		}
		if (P.data_dir && !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ktriage analyze: --data '%s': not a directory\n",
				P.data_dir);
			return 2;
		}
	}
	P.opts = &opts;

	workers = calloc(MAX_JOBS, sizeof(*workers));
	if (!workers) {
		fputs("ktriage analyze: out of memory\n", stderr);
		return 3;
	}
	for (size_t i = 0; i < MAX_JOBS; i++) {
		workers[i].P = &P;
		kt_spool_init(&workers[i].hold, HOLD_MEM_CAP);
	}
	worker_ctx(&workers[0], true);
	P.tables = workers[0].ctx;
	/* Directories are split into their files and crash folders, so that
	 * one directory argument keeps every worker busy too. A directory that
	 * cannot be read stays one job: analysing it reports the problem. */
	if (host && host_jobs(workers[0].ctx, root, all_boots, P.fmt, P.quiet, &L, &sources) != 0) {
		fputs("ktriage analyze: out of memory\n", stderr);
		return 3;
	}
	for (int i = optind; i < argc; i++) {
		size_t before = L.n;

		if (kt_analyze_split(workers[0].ctx, argv[i], add_job, &L) != 0) {
			while (L.n > before)
				free((char *)L.v[--L.n].path);
			if (add_job(&L, argv[i], 0) != 0) {
				fputs("ktriage analyze: out of memory\n", stderr);
				return 3;
			}
		}
	}
	P.jobs = L.v;
	P.n_jobs = L.n;
	if (!n_workers)
		n_workers = default_jobs(P.n_jobs);
	if (n_workers > P.n_jobs)
		n_workers = P.n_jobs ? P.n_jobs : 1;
	P.window = JOB_WINDOW * n_workers;
	P.progress = !no_progress && P.n_jobs >= PROGRESS_MIN_JOBS && isatty(STDERR_FILENO);
	P.t0 = P.last = kt_cli_now();
	pthread_mutex_init(&P.lock, NULL);
	pthread_cond_init(&P.cond, NULL);
	/* Fewer, larger writes to files and pipes: glibc ignores the size
	 * without a buffer (it takes st_blksize, 4 KiB), so give it one. */
	static char stdout_buf[1 << 16];

	if (!isatty(STDOUT_FILENO))
		(void)setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	/* The other workers make their analyzers while this thread makes the
	 * first one, which reports a bad option (rules, host facts, data dir)
	 * once, before any output; then they all start. */
	for (size_t i = 1; i < n_workers; i++)
		workers[i].started = pthread_create(&workers[i].tid, NULL, worker_run,
						    &workers[i]) == 0;
	if (worker_init(&workers[0], true)) {
		fprintf(stderr, "ktriage analyze: %s\n", kt_ctx_errmsg(workers[0].ctx));
		pthread_mutex_lock(&P.lock);
		P.abort = true;
		pthread_cond_broadcast(&P.cond);
		pthread_mutex_unlock(&P.lock);
		status = 3;
	} else {
		if (P.fmt == FMT_JSON)
			printf("{\"ktriage\": \"%s\", \"inputs\": [", kt_version());
		if (P.fmt == FMT_HTML) {
			char *h = kt_render_html_head("ktriage crash report");

			fputs(h, stdout);
			free(h);
		}
		pthread_mutex_lock(&P.lock);
		P.go = true;
		pthread_cond_broadcast(&P.cond);
		pthread_mutex_unlock(&P.lock);
		worker_run(&workers[0]);
	}
	for (size_t i = 1; i < n_workers; i++)
		if (workers[i].started)
			pthread_join(workers[i].tid, NULL);
	/* A worker that could not start leaves its jobs to the others; if
	 * none is left (cannot happen: worker 0 runs here) they stay undone. */
	clear_progress(&P);
	if (P.fmt == FMT_JSON && !P.abort)
		print_json_tail(&P);
	if (P.summary_line && !P.abort)
		print_jsonl_summary(&P);
	if (is_text(&P) && !P.abort)
		print_summary(&P);
	if (P.fmt == FMT_HTML && !P.abort) {
		char *t = kt_render_html_tail();

		if (!P.reports)
			fputs(P.incomplete ? "<p class=\"empty\">No crash found in what could be "
					     "read.</p>\n" : "<p class=\"empty\">No crash found.</p>\n",
			      stdout);
		fputs(t, stdout);
		free(t);
	}
	for (size_t i = 0; i < n_workers; i++)
		worker_fini(&workers[i]);
	for (size_t i = 0; i < P.n_jobs; i++) {
		status |= P.jobs[i].status;
		out_status |= P.jobs[i].out_status;
		free((char *)P.jobs[i].path);
		kt_summary_free(P.jobs[i].sum);
	}
	if (status && !P.abort && !P.quiet)
		fprintf(stderr, "ktriage analyze: %zu input%s could not be read fully; %zu "
			"crash%s reported\n", P.incomplete ? P.incomplete : 1,
			P.incomplete == 1 || !P.incomplete ? "" : "s", P.reports,
			P.reports == 1 ? "" : "es");
	pthread_cond_destroy(&P.cond);
	pthread_mutex_destroy(&P.lock);
	free(workers);
	free(P.jobs);
	kt_host_sources_free(sources);
	if (P.abort)
		return 3;
	kt_cli_check_output();
	if ((status && fail_problem) || out_status)
		return 3;
	return P.reports && fail_crash ? 1 : 0;
}
