/* pipeline: runs input -> normalize -> parse -> sign -> decode -> diagnose
 * -> render over the user's inputs. (Filled in as the stages land.) */
#include <ktriage/ktriage.h>

const char *
kt_version(void)
{
	return KT_VERSION_STRING;
}
