/* Symbol visibility: the library is built with -fvisibility=hidden and
 * exports only what is marked KT_API. */
#ifndef KTRIAGE_EXPORT_H
#define KTRIAGE_EXPORT_H
#if defined(KT_BUILDING_LIBRARY)
#define KT_API __attribute__((visibility("default")))
#else
#define KT_API
#endif
#endif
