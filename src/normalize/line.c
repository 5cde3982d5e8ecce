/* normalize: names of line formats (see line.h). */
#include "normalize/line.h"

static const char *const fmt_names[KT_FMT_COUNT] = {
	[KT_FMT_PLAIN] = "plain",
	[KT_FMT_DMESG] = "dmesg",
	[KT_FMT_SYSLOG] = "syslog",
	[KT_FMT_JOURNAL] = "journal",
	[KT_FMT_XEN_RING] = "xen-dom0-ring",
	[KT_FMT_XEN_CONSOLE] = "xen-console",
	[KT_FMT_KMSG] = "kmsg",
};

const char *
kt_line_fmt_name(enum kt_line_fmt f)
{
	return (unsigned)f < KT_FMT_COUNT ? fmt_names[f] : "plain";
}
