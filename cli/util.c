/* cli: helpers shared by commands (see util.h). */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
kt_cli_color(const char *mode, FILE *f)
{
	const char *term;

	if (!mode || strcmp(mode, "auto") == 0) {
		if (getenv("NO_COLOR"))
			return 0;
		term = getenv("TERM");
		if (term && strcmp(term, "dumb") == 0)
			return 0;
		return isatty(fileno(f)) ? 1 : 0;
	}
	if (strcmp(mode, "always") == 0)
		return 1;
	if (strcmp(mode, "never") == 0)
		return 0;
	return -1;
}

void
kt_cli_print_diag(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	int *count = ud;

	if (count && sev >= KT_SEV_WARN)
		(*count)++;
	fprintf(stderr, "ktriage: %s%s%s: %s\n", what ? what : "", what ? ": " : "",
		kt_sev_name(sev), msg);
}

double
kt_cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
kt_cli_progress_clear(bool *shown)
{
	if (*shown) {
		fflush(stdout);
		fputs("\r\033[K", stderr);
		*shown = false;
	}
}

static int first_write_errno;

void
kt_cli_check_output(void)
{
	if (ferror(stdout) && !first_write_errno)
		first_write_errno = errno ? errno : EIO;
}

int
kt_cli_finish_output(const char *cmd, int status)
{
	int e;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	e = first_write_errno ? first_write_errno : errno;
	if (e == EPIPE)		/* the reader went away: not our error */
		return status;
	fprintf(stderr, "ktriage %s: writing standard output: %s\n", cmd,
		strerror(e ? e : EIO));
	return 3;
}
